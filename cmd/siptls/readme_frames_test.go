package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// tsharkFrame is what tshark shows of one frame.
type tsharkFrame struct {
	stream int    // tcp.stream, -1 when not TCP
	alerts []int  // tls.alert_message.desc, decrypted with the key log when there is one
	info   string // the Info column
}

// tsharkFrames reads a capture with tshark, with its key log (the .pcap
// name with .keys) when there is one. Frames are numbered from 1; index 0
// is unused.
func tsharkFrames(file string) ([]tsharkFrame, error) {
	args := []string{"-r", file, "-T", "fields", "-E", "separator=/t", "-e", "frame.number", "-e", "tcp.stream", "-e", "tls.alert_message.desc", "-e", "_ws.col.Info"}
	keys := strings.TrimSuffix(strings.TrimSuffix(file, ".pcapng"), ".pcap") + ".keys"
	if _, err := os.Stat(keys); err == nil {
		args = append(args, "-o", "tls.keylog_file:"+keys)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("tshark", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tshark -r %s: %v\n%s", file, err, stderr.String())
	}
	frames := []tsharkFrame{{}}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			return nil, fmt.Errorf("tshark -r %s: line %q", file, line)
		}
		if n, _ := strconv.Atoi(f[0]); n != len(frames) {
			return nil, fmt.Errorf("tshark -r %s: frame %s after %d", file, f[0], len(frames)-1)
		}
		fr := tsharkFrame{stream: -1, info: f[3]}
		if f[1] != "" {
			fr.stream, _ = strconv.Atoi(f[1])
		}
		for _, a := range strings.Split(f[2], ",") {
			if d, err := strconv.Atoi(a); err == nil {
				fr.alerts = append(fr.alerts, d)
			}
		}
		frames = append(frames, fr)
	}
	return frames, nil
}

// alertCodes are the TLS alert descriptions testdata/README.md names.
var alertCodes = map[string]int{
	"close_notify": 0, "unexpected_message": 10, "handshake_failure": 40, "bad_certificate": 42,
	"unsupported_certificate": 43, "certificate_expired": 45, "certificate_unknown": 46,
	"unknown_ca": 48, "protocol_version": 70, "internal_error": 80,
}

var (
	// readmeFrameRef is a frame citation: "frame 43", "frames 9-10".
	readmeFrameRef = regexp.MustCompile(`\bframes? (\d+)(?:-(\d+))?`)
	// readmeAlertRef is an alert named just before the frame that holds it:
	// "unknown_ca (frame 12)", "**bad_certificate** (frame 12;",
	// "unknown_ca in frame 17", "handshake_failure (frame 11)".
	// "encrypted close_notify (frame 14)" and "close_notify (frame 11, an
	// encrypted alert)" are encrypted alerts there.
	readmeAlertRef = regexp.MustCompile(`\b(encrypted )?([a-z]+(?:_[a-z]+)+)\**,? (?:\((?:recorded, )?|in )frame (\d+)(, an encrypted alert)?\b`)
	// readmeSampleRow is a row of the sample's table: frames, connection,
	// what happens, verdict.
	readmeSampleRow = regexp.MustCompile(`^\| ([0-9][0-9, -]*?)(?:, alert (\d+))? \| (.*) \| (.*) \| (.*) \|$`)
)

// TestTestdataReadmeFrames checks the frame numbers testdata/README.md
// cites against tshark's reading of the captures, so that they cannot
// drift when a capture is regenerated: every row of the sample's table is
// one TCP connection of sample-cucm-trunk.cap, from its first frame to its
// last (or every frame of it, when the row lists them), its alert in the
// frame named, and every frame its text cites inside it; the sample's
// packet count; and in every table row about one capture, each frame cited
// exists, and each alert named before a frame number is in that frame.
func TestTestdataReadmeFrames(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is not installed (.ci/run installs it)")
		}
		t.Skip("tshark not installed")
	}
	if testing.Short() {
		t.Skip("runs tshark on some 30 captures")
	}
	chdirRoot(t)
	raw, err := os.ReadFile("testdata/README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")

	t.Run("sample", func(t *testing.T) {
		frames, err := tsharkFrames("testdata/sample-cucm-trunk.cap")
		if err != nil {
			t.Fatal(err)
		}
		streams := map[int][]int{}
		for n, f := range frames[1:] {
			if f.stream >= 0 {
				streams[f.stream] = append(streams[f.stream], n+1)
			}
		}
		count := regexp.MustCompile("`: (\\d+) packets,").FindStringSubmatch(string(raw))
		if count == nil || count[1] != strconv.Itoa(len(frames)-1) {
			t.Errorf("the README gives the sample %v packets; tshark reads %d", count, len(frames)-1)
		}
		if m := regexp.MustCompile(`Frame counts: sample (\d+);`).FindStringSubmatch(string(raw)); m == nil || m[1] != strconv.Itoa(len(frames)-1) {
			t.Errorf("the README's frame counts give the sample %v; tshark reads %d", m, len(frames)-1)
		}
		in := false
		rows, seen := 0, map[int]bool{}
		for i, line := range lines {
			if strings.HasPrefix(line, "## The README sample") {
				in = true
			} else if strings.HasPrefix(line, "## ") {
				in = false
			}
			m := readmeSampleRow.FindStringSubmatch(line)
			if !in || m == nil {
				continue
			}
			rows++
			where := fmt.Sprintf("testdata/README.md:%d", i+1)
			var want []int // the frames the row names: first and last, or all
			all := strings.Contains(m[1], ",")
			for _, part := range strings.Split(m[1], ",") {
				a, b, _ := strings.Cut(strings.TrimSpace(part), "-")
				for _, s := range []string{a, b} {
					if s != "" {
						n, _ := strconv.Atoi(s)
						want = append(want, n)
					}
				}
			}
			if len(want) == 0 || want[0] >= len(frames) {
				t.Errorf("%s: frames %q are not in the capture (%d frames)", where, m[1], len(frames)-1)
				continue
			}
			stream := frames[want[0]].stream
			got := streams[stream]
			if !all {
				got = []int{got[0], got[len(got)-1]}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: frames %q; tshark's TCP stream %d from frame %d is frames %v", where, m[1], stream, want[0], got)
			}
			seen[stream] = true
			first, last := streams[stream][0], streams[stream][len(streams[stream])-1]
			if m[2] != "" {
				n, _ := strconv.Atoi(m[2])
				if n < first || n > last || len(frames[n].alerts) == 0 {
					t.Errorf("%s: alert %d: tshark shows no alert there (%q)", where, n, infoOf(frames, n))
				}
			}
			for _, r := range readmeFrameRef.FindAllStringSubmatch(m[3]+" "+m[4], -1) {
				if n, _ := strconv.Atoi(r[1]); n < first || n > last {
					t.Errorf("%s: %q is outside the connection's frames %d-%d", where, r[0], first, last)
				}
			}
			checkAlertRefs(t, where, frames, m[4])
		}
		if rows != len(streams) || len(seen) != len(streams) {
			t.Errorf("the sample's table has %d rows for %d connections; tshark reads %d TCP streams", rows, len(seen), len(streams))
		}
	})

	t.Run("captures", func(t *testing.T) {
		type row struct {
			where, file, text string
		}
		var rows []row
		files := map[string][]tsharkFrame{}
		for i, line := range lines {
			cells := strings.Split(line, " | ")
			name := regexp.MustCompile("^\\| `([^`]+\\.(?:pcap|pcapng|cap))`").FindStringSubmatch(line)
			if len(cells) < 2 || name == nil {
				continue
			}
			text := strings.Join(cells[1:], " | ")
			if strings.HasPrefix(name[1], "bad-") || !readmeFrameRef.MatchString(text) {
				continue // bad inputs are not read to their end by tshark either
			}
			rows = append(rows, row{fmt.Sprintf("testdata/README.md:%d (%s)", i+1, name[1]), "testdata/" + name[1], text})
			files["testdata/"+name[1]] = nil
		}
		// tshark spends most of its half second starting: read the
		// captures a few at a time.
		var (
			mu   sync.Mutex
			wg   sync.WaitGroup
			errs []error
		)
		sem := make(chan struct{}, 4)
		for file := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				frames, err := tsharkFrames(file)
				mu.Lock()
				defer mu.Unlock()
				files[file] = frames
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatal(errors.Join(errs...))
		}
		checked := 0
		for _, r := range rows {
			frames := files[r.file]
			for _, ref := range readmeFrameRef.FindAllStringSubmatch(r.text, -1) {
				for _, s := range ref[1:] {
					if n, _ := strconv.Atoi(s); s != "" && n >= len(frames) {
						t.Errorf("%s: %q: the capture has %d frames", r.where, ref[0], len(frames)-1)
					}
				}
				checked++
			}
			checkAlertRefs(t, r.where, frames, r.text)
		}
		if checked < 40 {
			t.Errorf("only %d frame citations found in the README's tables: has the table format changed?", checked)
		}
	})
}

// checkAlertRefs checks that every alert text names before a frame number
// ("unknown_ca (frame 12)") is in that frame as tshark reads it.
func checkAlertRefs(t *testing.T, where string, frames []tsharkFrame, text string) {
	t.Helper()
	for _, r := range readmeAlertRef.FindAllStringSubmatch(text, -1) {
		code, known := alertCodes[r[2]]
		if !known {
			continue // a word such as application_data, not an alert
		}
		n, _ := strconv.Atoi(r[3])
		found := false
		if n < len(frames) {
			for _, a := range frames[n].alerts {
				found = found || a == code
			}
			// Without its keys tshark sees that an encrypted record is an
			// alert, not which.
			found = found || (r[1] != "" || r[4] != "") && strings.Contains(frames[n].info, "Encrypted Alert")
		}
		if !found {
			t.Errorf("%s: %q: tshark shows no %s alert in frame %d (%q)", where, r[0], r[2], n, infoOf(frames, n))
		}
	}
}

func infoOf(frames []tsharkFrame, n int) string {
	if n > 0 && n < len(frames) {
		return frames[n].info
	}
	return "no such frame"
}
