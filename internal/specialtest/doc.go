// Package specialtest makes the special files that the tests of pcap, trust
// and the siptls command give as input: named pipes, symbolic links to
// /dev/zero and folders that cannot be read, and runs the code under test
// with a deadline so that a read that blocks on a pipe fails the test
// instead of hanging it.
package specialtest
