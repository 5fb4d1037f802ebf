package main

import (
	"syscall"
	"unsafe"
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
