//go:build linux

package hostile

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// TestHostile builds siptls, writes the small corpus, and runs every case of
// Cases in a subprocess: each must end by itself (it is killed at three times
// its time bound), take no more CPU time than its bound (CPU time rather than
// wall time, so that a loaded machine does not fail the test), exit with an
// accepted status, a peak RSS within its bound, no stack trace, no raw
// control characters or invalid UTF-8, and output matching its expressions.
func TestHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds siptls and runs it 30 times: not in -short")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "siptls")
	build := exec.Command("go", "build", "-o", bin, "github.com/siptls/siptls/cmd/siptls")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "corpus")
	t.Cleanup(func() { Unlock(dir) })
	if err := Generate(dir, Small); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.NonRoot && os.Geteuid() == 0 {
				t.Skip("root reads a folder of mode 000: run as another user")
			}
			r := runCase(t, bin, dir, c)
			for _, p := range r.problems(c) {
				t.Error(p)
			}
			if t.Failed() {
				t.Logf("siptls %s: exit %d, %v (%v CPU), peak RSS %d MiB; output:\n%s", strings.Join(c.Args, " "), r.exit, r.elapsed.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.maxRSS>>20, clip(r.out, 2000))
			}
		})
	}
}

// result is what one run did.
type result struct {
	exit     int           // 128+signal when killed
	elapsed  time.Duration // wall time
	cpu      time.Duration // user and system CPU time
	maxRSS   int64         // bytes
	out      []byte
	timedOut bool
}

// runCase runs siptls with c.Args in dir, through the wrapper (see
// TestMain), killed when its wall time reaches three times c.MaxTime.
func runCase(t *testing.T, bin, dir string, c Case) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*c.MaxTime)
	defer cancel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	usage := filepath.Join(t.TempDir(), "maxrss")
	cmd := exec.CommandContext(ctx, self, append([]string{bin}, c.Args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", wrapEnv+"="+usage)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	begin := time.Now()
	err = cmd.Run()
	r := result{elapsed: time.Since(begin), out: out.Bytes(), timedOut: ctx.Err() != nil}
	if cmd.ProcessState == nil {
		t.Fatalf("run %s: %v", c.Name, err)
	}
	r.exit = cmd.ProcessState.ExitCode()
	if b, err := os.ReadFile(usage); err == nil {
		fmt.Sscan(string(b), &r.maxRSS, &r.cpu)
	}
	return r
}

// wrapEnv names the file a wrapper process writes siptls's peak RSS to.
const wrapEnv = "SIPTLS_HOSTILE_RUSAGE"

// addressSpace is the wrapper's RLIMIT_AS for siptls: far above MaxRSS
// (the Go runtime reserves address space it never touches), it keeps a
// runaway run from taking the machine's memory.
const addressSpace = 4 << 30

// TestMain makes the test binary a wrapper when wrapEnv is set: it runs its
// arguments as a command under addressSpace and writes the command's peak RSS
// in bytes (wait4's ru_maxrss) to the file wrapEnv names, and exits with
// the command's status (128+signal when killed). The wrapper exists because
// os/exec starts children with CLONE_VM, so a child's ru_maxrss counts its
// parent's resident memory before exec: the test process's, but here only the
// small wrapper's.
func TestMain(m *testing.M) {
	if path := os.Getenv(wrapEnv); path != "" {
		os.Exit(wrap(path, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func wrap(path string, args []string) int {
	lim := syscall.Rlimit{Cur: addressSpace, Max: addressSpace}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		fmt.Fprintln(os.Stderr, "wrapper:", err)
		return 125
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, wrapEnv+"=") })
	if err := cmd.Run(); cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "wrapper:", err)
		return 125
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		os.WriteFile(path, fmt.Appendf(nil, "%d %d\n", ru.Maxrss<<10, cpu), 0o644) // ru_maxrss is in KiB on Linux
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

var forbidden = regexp.MustCompile(Forbidden)

// problems lists how r, a run on the small corpus, breaks c's promises.
func (r result) problems(c Case) []string {
	var ps []string
	if r.timedOut {
		ps = append(ps, fmt.Sprintf("killed after %v: it did not end by itself", r.elapsed.Round(time.Millisecond)))
	} else if r.cpu > c.MaxTime {
		ps = append(ps, fmt.Sprintf("took %v of CPU time, more than %v", r.cpu.Round(time.Millisecond), c.MaxTime))
	}
	if !r.timedOut && !slices.Contains(c.Exit, r.exit) {
		ps = append(ps, fmt.Sprintf("exit status %d, want one of %v", r.exit, c.Exit))
	}
	if bound := cmp.Or(c.SmallMaxRSS, c.MaxRSS); r.maxRSS > bound {
		ps = append(ps, fmt.Sprintf("peak RSS %d MiB, more than %d MiB", r.maxRSS>>20, bound>>20))
	}
	if m := forbidden.Find(r.out); m != nil {
		ps = append(ps, fmt.Sprintf("output holds %q: a stack trace or runtime crash", m))
	}
	if p := unsafeText(r.out); p != "" {
		ps = append(ps, p)
	}
	if c.Match != "" && !regexp.MustCompile(c.Match).Match(r.out) {
		ps = append(ps, fmt.Sprintf("output does not match %q", c.Match))
	}
	if c.NoMatch != "" {
		if m := regexp.MustCompile(c.NoMatch).Find(r.out); m != nil {
			ps = append(ps, fmt.Sprintf("output holds %q (must not match %q)", m, c.NoMatch))
		}
	}
	return ps
}

// unsafeText describes the first byte of b that must not reach a terminal:
// invalid UTF-8, or a C0 (but tab and newline) or C1 control.
func unsafeText(b []byte) string {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return fmt.Sprintf("output holds invalid UTF-8 byte %#x at offset %d: %q", b[i], i, around(b, i))
		case r < 0x20 && r != '\t' && r != '\n', r == 0x7f, r >= 0x80 && r < 0xa0:
			return fmt.Sprintf("output holds control character %U at offset %d: %q", r, i, around(b, i))
		}
		i += n
	}
	return ""
}

func around(b []byte, i int) []byte {
	return b[max(0, i-40):min(len(b), i+40)]
}

func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + fmt.Sprintf("\n... (%d bytes in all)", len(b))
}
