package main

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// ownConsole reports whether this process is alone on its console: Windows
// made the console for it, as when a capture is dropped on siptls.exe or
// it is double-clicked, and closes it as soon as siptls exits.
func ownConsole() bool {
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("GetConsoleProcessList")
	if proc.Find() != nil {
		return false
	}
	var pids [2]uint32
	n, _, _ := proc.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	return n == 1
}

// colorConsole reports whether the console f can show ANSI colours: it
// turns on virtual terminal processing when it is off, as in the classic
// console host that a double-click or a drop opens; false when that fails
// (Windows before 10), so that no escape sequence is printed as text.
func colorConsole(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return false
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return true
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
