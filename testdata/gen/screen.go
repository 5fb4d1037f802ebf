package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
)

// screenDir is where screenTexts writes, under testdata.
const screenDir = "screen"

// cucmHeader is what CUCM 8 and later print before the packets of
// `utils network capture eth0 port 5061` run without `file` (the spacing of
// seeds' CUCM 8.5 session).
const cucmHeader = "admin:utils network capture eth0 port 5061 count 1000\n" +
	"Executing command with options:\n size=128                count=1000          interface=eth0\n" +
	" src=                    dest=               port=5061\n ip=\n\n"

// seedExcerpt is lines 33-63 of the Cisco Community guide to SIP TLS trunks
// between a CUCM 7.1(3) and a CUCM 8.5(1) cluster (lab domain bbbburns.lab,
// 2011): three `utils network capture` sessions pasted from the CUCM
// console, their lines verbatim; the guide's prose between them is replaced
// by short notes of our own, in the same places. Their tcpdump 3.x
// prints TCP flags as letters (`S 3618047650:3618047650(0) win 5840`,
// `. ack 1`, `P 1909893565:1909894727(1162) ack ...`).
const seedExcerpt = `admin:utils network capture host ip 14.48.44.80
Executing command with options:
size=128 count=1000 interface=eth0
src= dest= port=
ip=14.48.44.80
13:31:51.787879 IP CUCM7-PUB.bbbburns.lab.37448 > cucm8-pub.bbbburns.lab.5061: S 3618047650:3618047650(0) win 5840 <mss 1460,sackOK,timestamp 944769035 0,nop,wscale 2>
13:31:51.788102 IP cucm8-pub.bbbburns.lab.5061 > CUCM7-PUB.bbbburns.lab.37448: S 1615387233:1615387233(0) ack 3618047651 win 5792 <mss 1460,sackOK,timestamp 1044807200 944769035,nop,wscale 2>
13:31:51.788124 IP CUCM7-PUB.bbbburns.lab.37448 > cucm8-pub.bbbburns.lab.5061: . ack 1 win 1460 <nop,nop,timestamp 944769039 1044807200>
Second capture, on the subscriber, while 7131002 calls.
admin:utils network capture host ip 14.48.44.80
Executing command with options:
size=128 count=1000 interface=eth0
src= dest= port=
ip=14.48.44.80
13:32:17.928367 IP CUCM7-SUB1.bbbburns.lab.52172 > cucm8-pub.bbbburns.lab.5061: S 4239526776:4239526776(0) win 5840 <mss 1460,sackOK,timestamp 346555111 0,nop,wscale 2>
13:32:17.928511 IP cucm8-pub.bbbburns.lab.5061 > CUCM7-SUB1.bbbburns.lab.52172: S 1630528437:1630528437(0) ack 4239526777 win 5792 <mss 1460,sackOK,timestamp 1044833336 346555111,nop,wscale 2>
13:32:17.928530 IP CUCM7-SUB1.bbbburns.lab.52172 > cucm8-pub.bbbburns.lab.5061: . ack 1 win 1460 <nop,nop,timestamp 346555115 1044833336>
Note: the call leaves from the node the phone is registered to, as the trunk's CMG holds both nodes.
With one node in the CMG, every call would come from that node.
Third capture, on the CUCM 8 publisher, calls the other way:
admin:utils network capture port 5061
Executing command with options:
size=128 count=1000 interface=eth0
src= dest= port=5061
ip=
First call: 14.48.44.22 (cucm7-sub1.bbbburns.lab)
13:44:26.128758 IP CUCM8-Publisher.bbbburns.lab.48393 > cucm7-sub1.bbbburns.lab.5061: P 1909893565:1909894727(1162) ack 217213568 win 6161 <nop,nop,timestamp 1045561456 347159087>
13:44:26.128876 IP cucm7-sub1.bbbburns.lab.5061 > CUCM8-Publisher.bbbburns.lab.48393: . ack 1162 win 6641 <nop,nop,timestamp 347283235 1045561456>
Next call: 14.48.44.21 (cucm7-pub.bbbburns.lab)
13:45:11.098222 IP CUCM8-Publisher.bbbburns.lab.48417 > cucm7-pub.bbbburns.lab.5061: P 1951301588:1951302750(1162) ack 3961011476 win 5189 <nop,nop,timestamp 1045606420 945409167>
13:45:11.098450 IP cucm7-pub.bbbburns.lab.5061 > CUCM8-Publisher.bbbburns.lab.48417: . ack 1162 win 5479 <nop,nop,timestamp 945568267 1045606420>
`

// screenNames are the host names the screen text with names shows for the
// lab addresses: a CUCM node resolves its peers through its /etc/hosts or
// DNS; this machine has neither, so tcpdump without -n prints numbers and
// screenTexts puts the names in.
var screenNames = map[string]string{
	cucm7pub:  "cucm7-pub.clus1.lab",
	cucm8pub:  "cucm8-pub.clus2.lab",
	cucm8sub1: "cucm8-sub1.clus2.lab",
	cucm8sub2: "cucm8-sub2.clus2.lab",
	cucm8gone: "cucm8-sub3.clus2.lab",
	cube1:     "cube1.lab",
}

// screenOutcomes are the captures whose tcpdump lines, merged by time, make
// tcpdump-n-outcomes.txt: one of each TCP-level outcome.
var screenOutcomes = []string{
	"refused-syn-rst.pcap",                       // SYN answered by RST
	"no-answer-syn-retransmitted.pcap",           // 4 SYNs, no answer
	"fail-rst-after-client-cert.pcap",            // established, reset by the server
	"fail-subject-name-mismatch-close.pcap",      // established, closed by the server
	"incomplete-capture-ends-mid-handshake.pcap", // established, still open
	"midstream-close-notify.pcap",                // no SYN: open before the capture, then closed
	"link-ipv6.pcap",                             // IPv6, established and closed
}

// screenTexts writes testdata/screen/: what CUCM's console shows when
// `utils network capture` runs without `file`, made by the real tcpdump
// (in PATH) reading the test captures, for the screentext package and
// `siptls analyze` on screen text:
//
//   - tcpdump-n-sample-cucm-trunk.txt: cucmHeader, then `tcpdump -l -n -r sample-cucm-trunk.cap`
//   - tcpdump-names-sample-cucm-trunk.txt: `tcpdump -l -r sample-cucm-trunk.cap` (port names
//     from /etc/services, e.g. sip-tls), each lab address replaced by its screenNames name
//   - tcpdump-n-outcomes.txt: cucmHeader, then the lines of `tcpdump -l -n -r` of each of
//     screenOutcomes, merged by time (stable), as one capture of them all would print them
//   - cucm-seed-excerpt.txt: seedExcerpt
//
// The captures must exist (run the generator for them first, or all at once).
func (g *gen) screenTexts() error {
	dir := filepath.Join(g.out, screenDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	td, err := exec.LookPath("tcpdump")
	if err != nil {
		return fmt.Errorf("tcpdump is required for the screen texts: %w", err)
	}
	dump := func(capture string, args ...string) ([]byte, error) {
		cmd := exec.Command(td, append(append([]string{"-l"}, args...), "-r", filepath.Join(g.out, capture))...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("tcpdump -r %s: %v: %s", capture, err, stderr.Bytes())
		}
		return out, nil
	}
	write := func(name string, b []byte) error { return os.WriteFile(filepath.Join(dir, name), b, 0o644) }

	n, err := dump("sample-cucm-trunk.cap", "-n")
	if err != nil {
		return err
	}
	if err := write("tcpdump-n-sample-cucm-trunk.txt", append([]byte(cucmHeader), n...)); err != nil {
		return err
	}
	names, err := dump("sample-cucm-trunk.cap")
	if err != nil {
		return err
	}
	addr := regexp.MustCompile(`(^|[ >] ?)(\d+\.\d+\.\d+\.\d+)\.`)
	names = addr.ReplaceAllFunc(names, func(m []byte) []byte {
		sub := addr.FindSubmatch(m)
		if name, ok := screenNames[string(sub[2])]; ok {
			return []byte(string(sub[1]) + name + ".")
		}
		return m
	})
	if err := write("tcpdump-names-sample-cucm-trunk.txt", names); err != nil {
		return err
	}
	var lines [][]byte
	for _, c := range screenOutcomes {
		b, err := dump(c, "-n")
		if err != nil {
			return err
		}
		lines = append(lines, bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))...)
	}
	// Every line starts with HH:MM:SS.ffffff: the text order is the time order.
	sort.SliceStable(lines, func(i, j int) bool { return string(lines[i][:15]) < string(lines[j][:15]) })
	for i := range lines {
		if !bytes.HasSuffix(lines[i], []byte("\n")) {
			lines[i] = append(lines[i], '\n')
		}
	}
	if err := write("tcpdump-n-outcomes.txt", append([]byte(cucmHeader), bytes.Join(lines, nil)...)); err != nil {
		return err
	}
	return write("cucm-seed-excerpt.txt", []byte(seedExcerpt))
}
