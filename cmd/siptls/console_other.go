//go:build !windows

package main

// ownConsole reports whether this process has a console of its own that
// closes when it exits: only Windows makes one (see console_windows.go).
func ownConsole() bool { return false }
