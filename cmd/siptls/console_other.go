//go:build !windows

package main

import "os"

// ownConsole reports whether this process has a console of its own that
// closes when it exits: only Windows makes one (see console_windows.go).
func ownConsole() bool { return false }

// colorConsole reports whether the terminal f can show ANSI colours:
// every Unix terminal can (TERM=dumb and NO_COLOR aside, see System).
func colorConsole(*os.File) bool { return true }
