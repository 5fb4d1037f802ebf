package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/corpus"
	"github.com/siptls/siptls/triage"
)

// TestWordsMidstream is issue 8's report on real captures: sessions already
// open when the capture began are incomplete, never "failed", in the HTML
// banner, the text and triage's tables, patterns and blame.
func TestWordsMidstream(t *testing.T) {
	chdirRoot(t)
	// two SIP TLS sessions already open when the capture began (no
	// handshake, application data both ways)
	publicMidstream := corpus.File(t, "sip-tls-5061-midstream-no-handshake.pcap")
	for _, input := range []string{"testdata/midstream-appdata-only.pcap", publicMidstream} {
		t.Run(filepath.Base(input), func(t *testing.T) {
			html := filepath.Join(t.TempDir(), "r.html")
			_, text, stderr := runAnalyze(t, "--html", html, input)
			b, err := os.ReadFile(html)
			if err != nil {
				t.Fatalf("%v (stderr %s)", err, stderr)
			}
			page := string(b)
			title := between(page, "<title>", "</title>")
			banner := between(page, `<div id="verdict"`, "</div>")
			for name, out := range map[string]string{"analyze summary": lastLine(text), "HTML title": title, "HTML banner": banner} {
				if strings.Contains(out, "failed") {
					t.Errorf("%s says failed: %s", name, out)
				}
				if !strings.Contains(out, "incomplete (midstream)") && !strings.Contains(out, "incomplete (1 gap, 1 midstream)") {
					t.Errorf("%s does not name the connections incomplete with their reason: %s", name, out)
				}
			}
			if !strings.Contains(banner, `class="banner warn"`) {
				t.Errorf("the HTML banner is not a warning: %s", banner)
			}

			_, text, _ = triageOut(t, input)
			if strings.Contains(text, "blame") || strings.Contains(text, "that failed") {
				t.Errorf("triage blames or lists failed connections:\n%s", text)
			}
			if !strings.Contains(text, "No connection was seen to fail") && !strings.Contains(text, "The one connection could not be judged") {
				t.Errorf("triage does not say that no connection was seen to fail:\n%s", text)
			}
			_, js, _ := triageOut(t, "--format", "json", input)
			var r triage.Triage
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatal(err)
			}
			for _, d := range r.Destinations {
				if d.Failed != 0 || d.FirstFailure != nil {
					t.Errorf("%s: failed %d, first failure %v; want 0 and null", d.Server, d.Failed, d.FirstFailure)
				}
			}
		})
	}
}

// between returns the text of s from the first start to the end marker that follows.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
