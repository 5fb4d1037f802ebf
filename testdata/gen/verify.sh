#!/bin/sh
# verify.sh: what tshark sees in each capture of testdata/ (run from the repository
# root after `go run ./testdata/gen`). One line per file:
# file | packets | link | handshake types in order | alerts (plaintext) | certificates | cut (caplen<len) | TCP notes
# Needs tshark and capinfos. The output is summarised in testdata/README.md.
cd "$(dirname "$0")/.." || exit 2
for f in *.cap *.pcap *.pcapng *.pcap.gz; do
	[ -s "$f" ] || { echo "$f | empty"; continue; }
	pk=$(capinfos -c -M "$f" 2>/dev/null | awk -F': *' '/Number of packets/{print $2}')
	link=$(capinfos -E "$f" 2>/dev/null | awk -F': *' '/encapsulation/{print $2}')
	if [ -z "$pk" ]; then
		echo "$f | unreadable: $(capinfos "$f" 2>&1 | grep -m1 -i 'capinfos:' )"
		continue
	fi
	hs=$(tshark -r "$f" -Y tls.handshake.type -T fields -e tls.handshake.type 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
	al=$(tshark -r "$f" -Y tls.alert_message.desc -T fields -e tls.alert_message.desc 2>/dev/null | sort | uniq -c | awk '{printf "%sx%s ", $2, $1}')
	certs=$(tshark -r "$f" -Y tls.handshake.certificate -T fields -e tls.handshake.certificate 2>/dev/null | tr ',' '\n' | grep -c .)
	cut=$(tshark -r "$f" -Y 'frame.cap_len < frame.len' 2>/dev/null | wc -l)
	notes=$(tshark -r "$f" -Y 'tcp.analysis.flags || tcp.flags.reset==1' -T fields -e _ws.expert.message 2>/dev/null | tr ',' '\n' | grep -v '^$' | sort | uniq -c | awk '{c=$1; $1=""; printf "%s x%s;", $0, c}')
	echo "$f | $pk | $link | $hs | $al | $certs | $cut | $notes"
done
