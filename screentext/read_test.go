package screentext

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// Real lines (tcpdump 4.99 -n of the test captures, and CUCM's tcpdump 3.x
// of the seed excerpt), combined by the cases below.
const (
	synA    = "14:03:00.040741 IP 10.10.1.11.39560 > 10.20.1.24.5061: Flags [S], seq 1283850358, win 64240, options [mss 1460,sackOK,TS val 1698154663 ecr 0,nop,wscale 7], length 0"
	synA2   = "14:03:01.040618 IP 10.10.1.11.39560 > 10.20.1.24.5061: Flags [S], seq 1283850358, win 64240, options [mss 1460,sackOK,TS val 1698155663 ecr 0,nop,wscale 7], length 0"
	synB    = "14:03:00.040375 IP 10.10.1.11.39511 > 10.20.1.22.5061: Flags [S], seq 1961285854, win 64240, options [mss 1460,sackOK,TS val 352529563 ecr 0,nop,wscale 7], length 0"
	rstB    = "14:03:00.042070 IP 10.20.1.22.5061 > 10.10.1.11.39511: Flags [R.], seq 0, ack 1961285855, win 0, length 0"
	synC    = "14:03:00.075000 IP 10.10.1.11.39230 > 10.20.1.21.5061: Flags [S], seq 2264012445, win 64240, options [mss 1460,sackOK,TS val 218245283 ecr 0,nop,wscale 7], length 0"
	synackC = "14:03:00.077060 IP 10.20.1.21.5061 > 10.10.1.11.39230: Flags [S.], seq 2586178654, ack 2264012446, win 65160, options [mss 1460,sackOK,TS val 1402203741 ecr 218245283,nop,wscale 7], length 0"
	ackC    = "14:03:00.077100 IP 10.10.1.11.39230 > 10.20.1.21.5061: Flags [.], ack 1, win 502, options [nop,nop,TS val 218245285 ecr 1402203741], length 0"
	rstC    = "14:03:00.085496 IP 10.20.1.21.5061 > 10.10.1.11.39230: Flags [R.], seq 1654, ack 1667, win 0, length 0"
	midD    = "14:03:00.210939 IP 10.10.1.11.5061 > 10.20.1.23.42611: Flags [P.], seq 2543186322:2543186833, ack 2851501653, win 502, options [nop,nop,TS val 2049928663 ecr 754067349], length 511"
	finD    = "14:03:32.666968 IP 10.20.1.23.42611 > 10.10.1.11.5061: Flags [F.], seq 802, ack 1896, win 502, options [nop,nop,TS val 754099989 ecr 2049961074], length 0"
	old1    = "13:31:51.787879 IP CUCM7-PUB.bbbburns.lab.37448 > cucm8-pub.bbbburns.lab.5061: S 3618047650:3618047650(0) win 5840 <mss 1460,sackOK,timestamp 944769035 0,nop,wscale 2>"
	old2    = "13:31:51.788102 IP cucm8-pub.bbbburns.lab.5061 > CUCM7-PUB.bbbburns.lab.37448: S 1615387233:1615387233(0) ack 3618047651 win 5792 <mss 1460,sackOK,timestamp 1044807200 944769035,nop,wscale 2>"
	// old2 with the case of its host names swapped, as two consoles may print them
	old2Case = "13:31:51.788102 IP CUCM8-PUB.bbbburns.lab.5061 > cucm7-pub.bbbburns.lab.37448: S 1615387233:1615387233(0) ack 3618047651 win 5792 <mss 1460,sackOK,timestamp 1044807200 944769035,nop,wscale 2>"
)

// TestConnections checks the grouping and the verdicts on short texts.
func TestConnections(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string // per connection: client server roles verdict/reason [ended_by] syns
	}{
		{"refused", []string{synB, rstB}, []string{"10.10.1.11:39511 10.20.1.22:5061 syn refused/syn_reset server 1"}},
		{"retransmitted syn", []string{synA, synA2}, []string{"10.10.1.11:39560 10.20.1.24:5061 syn no_answer/syn_unanswered 2"}},
		{"one syn, text ends", []string{synA}, []string{"10.10.1.11:39560 10.20.1.24:5061 syn incomplete/capture_ended 1"}},
		{"one syn, text goes on 3 s", []string{synA, synB, rstB, finD}, []string{
			"10.10.1.11:39560 10.20.1.24:5061 syn no_answer/syn_unanswered 1",
			"10.10.1.11:39511 10.20.1.22:5061 syn refused/syn_reset server 1",
			"10.20.1.23:42611 10.10.1.11:5061 port incomplete/midstream client 0"}},
		{"reset by the server", []string{synC, synackC, ackC, rstC}, []string{"10.10.1.11:39230 10.20.1.21:5061 syn established/reset server 1"}},
		{"open", []string{synC, synackC, ackC}, []string{"10.10.1.11:39230 10.20.1.21:5061 syn established/open 1"}},
		{"syn-ack without its syn", []string{synackC, ackC, rstC}, []string{"10.10.1.11:39230 10.20.1.21:5061 syn_ack established/reset server 0"}},
		{"midstream, server port first", []string{midD, finD}, []string{"10.20.1.23:42611 10.10.1.11:5061 port incomplete/midstream client 0"}},
		{"rst only", []string{rstB}, []string{"10.10.1.11:39511 10.20.1.22:5061 port incomplete/midstream server 0"}},
		{"3.x, host names", []string{old1, old2}, []string{"CUCM7-PUB.bbbburns.lab:37448 cucm8-pub.bbbburns.lab:5061 syn established/open 1"}},
		{"host names differ in case", []string{old1, old2Case}, []string{"CUCM7-PUB.bbbburns.lab:37448 cucm8-pub.bbbburns.lab:5061 syn established/open 1"}},
		{"new syn after a refusal", []string{synB, rstB, strings.Replace( // the client tries again from the same port, with a new sequence number
			synB, "seq 1961285854", "seq 1961299999", 1)}, []string{
			"10.10.1.11:39511 10.20.1.22:5061 syn refused/syn_reset server 1",
			"10.10.1.11:39511 10.20.1.22:5061 syn incomplete/capture_ended 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			txt, err := Read(strings.NewReader(strings.Join(tt.lines, "\n")+"\n"), "t.txt", Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range txt.Connections {
				s := c.Client.String() + " " + c.Server.String() + " " + string(c.Roles) + " " + string(c.Verdict) + "/" + string(c.Reason)
				if c.Ended {
					s += " " + c.EndedBy.String()
				}
				got = append(got, s+" "+string(rune('0'+c.SYNs)))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestReadLines checks the line accounting: CRLF, chatter, blank lines,
// unreadable lines named (the first MaxExamples), a line over the cap.
func TestReadLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("admin:utils network capture eth0 port 5061\r\nExecuting command with options:\r\n size=128   count=1000   interface=eth0\r\n\r\n")
	b.WriteString(synB + "\r\n")
	for i := 0; i < 7; i++ {
		b.WriteString("some prose\r\n")
	}
	b.WriteString(strings.Repeat("x", 300) + "\n")
	b.WriteString(rstB + "\r\n")
	b.WriteString("2 packets captured\n2 packets received by filter\n0 packets dropped by kernel") // no final newline
	txt, err := Read(strings.NewReader(b.String()), "t.txt", Options{MaxLine: 200})
	if err != nil {
		t.Fatal(err)
	}
	if txt.Lines != 17 || txt.PacketLines != 2 || txt.OtherLines != 6 || txt.Unreadable != 8 {
		t.Errorf("lines %d packet %d other %d unreadable %d, want 17 2 6 8", txt.Lines, txt.PacketLines, txt.OtherLines, txt.Unreadable)
	}
	if len(txt.Examples) != MaxExamples || txt.Examples[0].Line != 6 || txt.Examples[0].Problem != ProblemNoTime {
		t.Errorf("examples %+v", txt.Examples)
	}
	if txt.OptionsLine != 2 || txt.Options["size"] != "128" || txt.Options["interface"] != "eth0" {
		t.Errorf("options line %d %v", txt.OptionsLine, txt.Options)
	}
	if len(txt.Connections) != 1 || txt.Connections[0].Verdict != VerdictRefused {
		t.Errorf("connections %+v", txt.Connections)
	}
	// the long line: too_long, and reading goes on
	txt, _ = Read(strings.NewReader(strings.Repeat("y", 500)+"\n"+synB+"\n"), "t.txt", Options{MaxLine: 200})
	if txt.Unreadable != 1 || txt.Examples[0].Problem != ProblemTooLong || txt.Examples[0].Line != 1 || txt.PacketLines != 1 {
		t.Errorf("long line: %+v", txt)
	}
}

// TestReadErrors checks the errors: a text without packet lines, a read
// error, damaged gzip; and that gzip text is read.
func TestReadErrors(t *testing.T) {
	_, err := Read(strings.NewReader("hello\nworld\n"), "notes.txt", Options{})
	var ie *InputError
	if !errors.As(err, &ie) || !ie.NoPackets || err.Error() != "notes.txt holds no tcpdump line of a TCP packet (2 lines read; line 1: no time of day at the start)" {
		t.Errorf("no packets: %v", err)
	}
	_, err = Read(strings.NewReader(""), "empty.txt", Options{})
	if err == nil || err.Error() != "empty.txt holds no tcpdump line of a TCP packet (0 lines read)" {
		t.Errorf("empty: %v", err)
	}
	boom := errors.New("boom")
	txt, err := Read(io.MultiReader(strings.NewReader(synB+"\n"), iotest.ErrReader(boom)), "x.txt", Options{})
	if !errors.Is(err, boom) || txt.PacketLines != 1 || err.Error() != "cannot read x.txt: boom" {
		t.Errorf("read error: %v, %d packet lines", err, txt.PacketLines)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(synB + "\n" + rstB + "\n"))
	zw.Close()
	if txt, err := Read(bytes.NewReader(z.Bytes()), "x.txt.gz", Options{}); err != nil || txt.PacketLines != 2 {
		t.Errorf("gzip: %v", err)
	}
	if _, err := Read(bytes.NewReader(z.Bytes()[:z.Len()/2]), "cut.txt.gz", Options{}); err == nil || !strings.HasPrefix(err.Error(), "cannot read cut.txt.gz: ") {
		t.Errorf("cut gzip: %v", err)
	}
	if _, err := ReadFile("no-such-file.txt", Options{}); err == nil || err.Error() != "cannot read no-such-file.txt: no such file or directory" {
		t.Errorf("missing: %v", err)
	}
	if txt, err := Read(strings.NewReader("\xef\xbb\xbf"+synB+"\r\n"+rstB+"\r\n"), "notepad.txt", Options{}); err != nil || txt.PacketLines != 2 {
		t.Errorf("UTF-8 BOM: %v", err)
	}
	if _, err := ReadFile("testdata", Options{}); err == nil || err.Error() != "testdata is a directory, not a text file" {
		t.Errorf("directory: %v", err)
	}
}

// TestMaxConns checks that connections past the cap are counted, not kept.
func TestMaxConns(t *testing.T) {
	txt, err := Read(strings.NewReader(strings.Join([]string{synA, synB, rstB, synC, synackC}, "\n")), "t.txt", Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(txt.Connections) != 2 || txt.Untracked != 2 {
		t.Errorf("%d connections, %d untracked lines; want 2, 2", len(txt.Connections), txt.Untracked)
	}
}

// TestSpread checks the load-balancing facts: the order, in turn or not,
// and the failures per destination.
func TestSpread(t *testing.T) {
	a := analyzeFile(t, "../testdata/screen/tcpdump-n-sample-cucm-trunk.txt")
	var s *Spread
	for i := range a.Spreads {
		if a.Spreads[i].Client == "10.10.1.11" {
			s = &a.Spreads[i]
		}
	}
	if s == nil {
		t.Fatal("no spread for 10.10.1.11")
	}
	var order []string
	for _, e := range s.Order {
		order = append(order, strings.TrimPrefix(e.String(), "10.20.1."))
	}
	// testdata/README.md: .21 .22 .23 .21 .22 .23 .21, then .24 (never answered) beside .22, then .23
	if got := strings.Join(order, " "); got != "21:5061 22:5061 23:5061 21:5061 22:5061 23:5061 21:5061 24:5061 22:5061 23:5061" {
		t.Errorf("order %s", got)
	}
	if s.InTurn || s.Attempts != 10 || s.Failed() != 1 {
		t.Errorf("in turn %v, attempts %d, failed %d; want false 10 1", s.InTurn, s.Attempts, s.Failed())
	}
	e := func(h string) Endpoint { return Endpoint{h, 5061} }
	if !inTurn(&Spread{Order: []Endpoint{e("a"), e("b"), e("c"), e("a"), e("b")}}) {
		t.Error("a b c a b: not in turn")
	}
	for _, o := range [][]Endpoint{{e("a"), e("b")}, {e("a"), e("a")}, {e("a"), e("b"), e("b")}} {
		if inTurn(&Spread{Order: o}) {
			t.Errorf("%v: in turn", o)
		}
	}
}

// TestHostileNames checks that host names with terminal escapes, a
// right-to-left override and HTML reach no output raw.
func TestHostileNames(t *testing.T) {
	line := strings.Replace(synB, "10.10.1.11.39511", "evil\x1b]0;pwned\x07\u202e<script>.lab.39511", 1)
	txt, err := Read(strings.NewReader(line+"\n"), "hostile\x1b[2J.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := Analyze([]*Text{txt}, []error{nil})
	for _, f := range []Format{FormatText, FormatJSON, FormatNDJSON} {
		var b bytes.Buffer
		if err := Write(&b, a, WriteOptions{Format: f}); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(b.String(), "\x1b\x07\u202e") || !strings.Contains(b.String(), "evil") {
			t.Errorf("format %d: raw escape or override in %q", f, b.String())
		}
	}
	var h bytes.Buffer
	if err := WriteHTML(&h, a, "test"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<script>") || strings.ContainsAny(h.String(), "\x1b\x07\u202e") {
		t.Error("the HTML page holds the raw name")
	}
}
