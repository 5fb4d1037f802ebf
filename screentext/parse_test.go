package screentext

import (
	"strings"
	"testing"
	"time"
)

// TestParseLine reads lines tcpdump printed (4.99 with -n, without -n,
// -tttt, from a Linux cooked capture, and CUCM's tcpdump 3.x from the seed
// excerpt), and lines that are not TCP packet lines.
func TestParseLine(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Packet // Line, Time.Text, Src, Dst, Flags, Seq/HasSeq, Length, IPv6, Syntax
		problem LineProblem
	}{
		{"syn", "14:03:00.040375 IP 10.10.1.11.39511 > 10.20.1.22.5061: Flags [S], seq 1961285854, win 64240, options [mss 1460,sackOK,TS val 352529563 ecr 0,nop,wscale 7], length 0",
			Packet{Time: Stamp{Text: "14:03:00.040375"}, Src: Endpoint{"10.10.1.11", 39511}, Dst: Endpoint{"10.20.1.22", 5061}, Flags: FlagSYN, Seq: 1961285854, HasSeq: true, Length: 0, Syntax: SyntaxBrackets}, ""},
		{"rst ack", "14:03:00.042070 IP 10.20.1.22.5061 > 10.10.1.11.39511: Flags [R.], seq 0, ack 1961285855, win 0, length 0",
			Packet{Time: Stamp{Text: "14:03:00.042070"}, Src: Endpoint{"10.20.1.22", 5061}, Dst: Endpoint{"10.10.1.11", 39511}, Flags: FlagRST | FlagACK, HasSeq: true, Length: 0, Syntax: SyntaxBrackets}, ""},
		{"data", "14:03:00.037135 IP 10.20.1.23.42555 > 10.10.1.11.5061: Flags [P.], seq 1:349, ack 1, win 502, options [nop,nop,TS val 422560859 ecr 794145261], length 348",
			Packet{Time: Stamp{Text: "14:03:00.037135"}, Src: Endpoint{"10.20.1.23", 42555}, Dst: Endpoint{"10.10.1.11", 5061}, Flags: FlagPSH | FlagACK, Seq: 1, HasSeq: true, Length: 348, Syntax: SyntaxBrackets}, ""},
		{"fin", "14:03:32.666968 IP 10.20.1.23.42611 > 10.10.1.11.5061: Flags [F.], seq 2075, ack 2168, win 502, options [nop,nop,TS val 1969900328 ecr 2064636896], length 0",
			Packet{Time: Stamp{Text: "14:03:32.666968"}, Src: Endpoint{"10.20.1.23", 42611}, Dst: Endpoint{"10.10.1.11", 5061}, Flags: FlagFIN | FlagACK, Seq: 2075, HasSeq: true, Length: 0, Syntax: SyntaxBrackets}, ""},
		{"ipv6", "14:03:00.072060 IP6 fd00:10:20::21.5061 > fd00:10:10::11.40155: Flags [S.], seq 62900043, ack 3044113130, win 65160, options [mss 1460,sackOK,TS val 2064636877 ecr 1969900265,nop,wscale 7], length 0",
			Packet{Time: Stamp{Text: "14:03:00.072060"}, IPv6: true, Src: Endpoint{"fd00:10:20::21", 5061}, Dst: Endpoint{"fd00:10:10::11", 40155}, Flags: FlagSYN | FlagACK, Seq: 62900043, HasSeq: true, Length: 0, Syntax: SyntaxBrackets}, ""},
		{"names, sip-tls", "14:03:00.212060 IP cucm8-pub.clus2.lab.sip-tls > cucm7-pub.clus1.lab.38211: Flags [S.], seq 4038123889, ack 792114524, win 65160, options [mss 1460,sackOK,TS val 1747738863 ecr 531099731,nop,wscale 7], length 0",
			Packet{Time: Stamp{Text: "14:03:00.212060"}, Src: Endpoint{"cucm8-pub.clus2.lab", 5061}, Dst: Endpoint{"cucm7-pub.clus1.lab", 38211}, Flags: FlagSYN | FlagACK, Seq: 4038123889, HasSeq: true, Length: 0, Syntax: SyntaxBrackets}, ""},
		{"tttt", "2026-11-20 14:03:00.040375 IP 10.10.1.11.39511 > 10.20.1.22.5061: Flags [S], seq 1961285854, win 64240, options [mss 1460,sackOK,TS val 352529563 ecr 0,nop,wscale 7], length 0",
			Packet{Time: Stamp{Text: "2026-11-20 14:03:00.040375", Dated: true}, Src: Endpoint{"10.10.1.11", 39511}, Dst: Endpoint{"10.20.1.22", 5061}, Flags: FlagSYN, Seq: 1961285854, HasSeq: true, Length: 0, Syntax: SyntaxBrackets}, ""},
		{"any interface", "14:03:00.072060 ifb0  In  IP 10.20.1.21.5061 > 10.10.1.11.40155: Flags [S.], seq 62900043, ack 3044113130, win 65160, options [mss 1460,sackOK,TS val 2064636877 ecr 1969900265,nop,wscale 7], length 0",
			Packet{Time: Stamp{Text: "14:03:00.072060"}, Src: Endpoint{"10.20.1.21", 5061}, Dst: Endpoint{"10.10.1.11", 40155}, Flags: FlagSYN | FlagACK, Seq: 62900043, HasSeq: true, Length: 0, Syntax: SyntaxBrackets}, ""},
		{"3.x syn", "13:31:51.787879 IP CUCM7-PUB.bbbburns.lab.37448 > cucm8-pub.bbbburns.lab.5061: S 3618047650:3618047650(0) win 5840 <mss 1460,sackOK,timestamp 944769035 0,nop,wscale 2>",
			Packet{Time: Stamp{Text: "13:31:51.787879"}, Src: Endpoint{"CUCM7-PUB.bbbburns.lab", 37448}, Dst: Endpoint{"cucm8-pub.bbbburns.lab", 5061}, Flags: FlagSYN, Seq: 3618047650, HasSeq: true, Length: 0, Syntax: SyntaxLetters}, ""},
		{"3.x syn-ack", "13:31:51.788102 IP cucm8-pub.bbbburns.lab.5061 > CUCM7-PUB.bbbburns.lab.37448: S 1615387233:1615387233(0) ack 3618047651 win 5792 <mss 1460,sackOK,timestamp 1044807200 944769035,nop,wscale 2>",
			Packet{Time: Stamp{Text: "13:31:51.788102"}, Src: Endpoint{"cucm8-pub.bbbburns.lab", 5061}, Dst: Endpoint{"CUCM7-PUB.bbbburns.lab", 37448}, Flags: FlagSYN | FlagACK, Seq: 1615387233, HasSeq: true, Length: 0, Syntax: SyntaxLetters}, ""},
		{"3.x ack", "13:31:51.788124 IP CUCM7-PUB.bbbburns.lab.37448 > cucm8-pub.bbbburns.lab.5061: . ack 1 win 1460 <nop,nop,timestamp 944769039 1044807200>",
			Packet{Time: Stamp{Text: "13:31:51.788124"}, Src: Endpoint{"CUCM7-PUB.bbbburns.lab", 37448}, Dst: Endpoint{"cucm8-pub.bbbburns.lab", 5061}, Flags: FlagACK, Length: 0, Syntax: SyntaxLetters}, ""},
		{"3.x push", "13:44:26.128758 IP CUCM8-Publisher.bbbburns.lab.48393 > cucm7-sub1.bbbburns.lab.5061: P 1909893565:1909894727(1162) ack 217213568 win 6161 <nop,nop,timestamp 1045561456 347159087>",
			Packet{Time: Stamp{Text: "13:44:26.128758"}, Src: Endpoint{"CUCM8-Publisher.bbbburns.lab", 48393}, Dst: Endpoint{"cucm7-sub1.bbbburns.lab", 5061}, Flags: FlagPSH | FlagACK, Seq: 1909893565, HasSeq: true, Length: 1162, Syntax: SyntaxLetters}, ""},
		{"prose", "Second capture, on the subscriber, while 7131002 calls.", Packet{}, ProblemNoTime},
		{"cut before flags", "13:31:51.787879 IP CUCM7-PUB.bbbburns.lab.37448 > cucm8-pub.bbb", Packet{}, ProblemCutOff},
		{"cut after colon", "13:31:51.787879 IP CUCM7-PUB.bbbburns.lab.37448 > cucm8-pub.bbbburns.lab.5061:", Packet{}, ProblemCutOff},
		{"cut in brackets", "14:03:00.040375 IP 10.10.1.11.39511 > 10.20.1.22.5061: Flags [S", Packet{}, ProblemCutOff},
		{"arp", "14:03:00.040375 ARP, Request who-has 10.20.1.22 tell 10.10.1.11, length 28", Packet{}, ProblemNotIP},
		{"udp", "14:03:00.040375 IP 10.10.1.11.5060 > 10.20.1.22.5060: UDP, length 410", Packet{}, ProblemNotTCP},
		{"icmp", "14:03:00.040375 IP 10.10.1.11 > 10.20.1.22: ICMP echo request, id 1, seq 1, length 64", Packet{}, ProblemNotTCP},
		{"no port", "14:03:00.040375 IP 10.10.1.11.39511 > 10.20.1.22: Flags [S], seq 1, length 0", Packet{}, ProblemAddress},
		{"bad time", "25:03:00.040375 IP 10.10.1.11.39511 > 10.20.1.22.5061: Flags [S], seq 1, length 0", Packet{}, ProblemNoTime},
		{"bad port name", "14:03:00.040375 IP 10.10.1.11.foo > 10.20.1.22.5061: Flags [S], seq 1, length 0", Packet{}, ProblemAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problem := ParseLine(tt.line, 7)
			if problem != tt.problem {
				t.Fatalf("problem %q, want %q", problem, tt.problem)
			}
			if problem != "" {
				return
			}
			want := tt.want
			want.Line = 7
			want.Time.At = got.Time.At // checked below
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			clock := tt.want.Time.Text
			if i := strings.IndexByte(clock, ' '); i >= 0 {
				clock = clock[i+1:]
			}
			c, _ := time.Parse("15:04:05.000000", clock)
			if d := got.Time.At % (24 * time.Hour); d != time.Duration(c.Hour())*time.Hour+time.Duration(c.Minute())*time.Minute+time.Duration(c.Second())*time.Second+time.Duration(c.Nanosecond()) {
				t.Errorf("At %v does not match %s", got.Time.At, tt.want.Time.Text)
			}
		})
	}
}

// TestStampSince checks that times of day that go backwards passed midnight.
func TestStampSince(t *testing.T) {
	a, _ := parseClock("23:59:58.500000")
	b, _ := parseClock("00:00:02.500000")
	if d := b.Since(a); d != 4*time.Second {
		t.Errorf("%v, want 4s", d)
	}
	if d := a.Since(a); d != 0 {
		t.Errorf("%v, want 0", d)
	}
}
