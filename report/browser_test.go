package report

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

var screenshot = flag.String("screenshot", "", "save the browser's screenshot of the sample report to this `file` (docs/report.png)")

// chromium finds a Chromium binary: $SIPTLS_CHROMIUM, then the usual names.
// Without one the browser tests skip, except under CI where they fail.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SIPTLS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found (chromium, chromium-browser, google-chrome or $SIPTLS_CHROMIUM) and CI is set: .ci/run installs Debian's chromium")
	}
	t.Skip("no Chromium found (chromium, chromium-browser, google-chrome or $SIPTLS_CHROMIUM): install it (apt-get install chromium) to run the browser tests")
	return ""
}

// browserRun is what headless Chromium made of one page.
type browserRun struct {
	dom      string   // the DOM after load (--dump-dom)
	console  []string // console messages the page caused
	requests []string // network requests the page made
}

// openInChromium loads file in headless Chromium with no network access
// needed, and returns its DOM after load, the console messages and the
// network requests of the page (from Chromium's own net log, where requests
// made by a file:// page carry a file:// network isolation key; the
// browser's background requests do not). With shot, it also takes a
// screenshot 1280 px wide.
func openInChromium(t *testing.T, bin, file, shot string) browserRun {
	t.Helper()
	dir := t.TempDir()
	netlog := filepath.Join(dir, "netlog.json")
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0",
		"--log-net-log=" + netlog, "--hide-scrollbars"}
	if shot != "" {
		args = append(args, "--screenshot="+shot, "--window-size=1280,2700")
	} else {
		args = append(args, "--dump-dom")
	}
	args = append(args, "file://"+file)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	r := browserRun{dom: stdout.String()}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			r.console = append(r.console, line)
		}
	}
	r.requests = pageRequests(t, netlog)
	return r
}

// pageRequests reads a Chromium net log and returns the URLs requested on
// behalf of a file:// page.
func pageRequests(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no net log: %v", err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
				NIK       string `json:"network_isolation_key"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatalf("net log %s: %v", path, err)
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatal("the net log has no URL_REQUEST_START_JOB event type")
	}
	var urls []string
	for _, e := range log.Events {
		if e.Type == start && e.Params.URL != "" && (strings.HasPrefix(e.Params.NIK, "file://") || e.Params.Initiator == "null") {
			urls = append(urls, e.Params.URL)
		}
	}
	return urls
}

// TestBrowserDetectors checks the detectors on a page that does what the
// report must not: a script logging to the console, an image and a style
// sheet from the network.
func TestBrowserDetectors(t *testing.T) {
	bin := chromium(t)
	page := filepath.Join(t.TempDir(), "bad.html")
	bad := `<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"><link rel=stylesheet href="http://127.0.0.1:9/a.css"><script>console.error("ran")</script></body></html>`
	if err := os.WriteFile(page, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r := openInChromium(t, bin, page, "")
	if len(r.console) == 0 {
		t.Error("the console detector missed console.error")
	}
	if len(r.requests) < 2 {
		t.Errorf("the request detector found %q, want the image and the style sheet", r.requests)
	}
}

// TestBrowserReport opens the sample and hostile reports in headless
// Chromium: the verdict banner and a failed connection's ladder are in the
// DOM after load, no console message, no network request, and none of the
// hostile names became an element or ran.
func TestBrowserReport(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	tests := []struct {
		name      string
		trust     string
		node      string
		input     string
		wantText  []string
		wantShots bool
	}{
		{"sample", "../testdata/trust/cucm7-pub-CallManager-trust", "10.10.1.11", "../testdata/sample-cucm-trunk.cap",
			[]string{"12 connections: 7 ok, 4 failed, 1 no_answer", "unknown_ca"}, true},
		{"hostile", "", "", "../testdata/hostile-names.pcap",
			[]string{"1 connection: 1 failed", "<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, `\u202e`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".html")
			if err := os.WriteFile(file, writeHTMLFor(t, tt.trust, tt.node, tt.input), 0o644); err != nil {
				t.Fatal(err)
			}
			r := openInChromium(t, bin, file, "")
			if len(r.console) > 0 {
				t.Errorf("console messages: %q", r.console)
			}
			if len(r.requests) > 0 {
				t.Errorf("network requests: %q", r.requests)
			}
			doc, err := html.Parse(strings.NewReader(r.dom))
			if err != nil {
				t.Fatal(err)
			}
			var banner, failedLadder bool
			var text strings.Builder
			var walk func(n *html.Node, inFailed bool)
			walk = func(n *html.Node, inFailed bool) {
				if n.Type == html.TextNode {
					text.WriteString(n.Data)
					text.WriteByte(' ')
				}
				if n.Type == html.ElementNode {
					switch n.Data {
					case "script", "img", "iframe", "object", "embed", "link":
						t.Errorf("the DOM after load has a <%s> element", n.Data)
					case "details":
						if strings.Contains(attr(n, "class"), "failed") {
							inFailed = true
						}
					case "svg":
						if inFailed && attr(n, "class") == "ladder" {
							failedLadder = true
						}
					}
					if attr(n, "id") == "verdict" {
						banner = true
					}
					for _, a := range n.Attr {
						if strings.HasPrefix(a.Key, "on") {
							t.Errorf("<%s %s=%q> in the DOM after load", n.Data, a.Key, a.Val)
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, inFailed)
				}
			}
			walk(doc, false)
			if !banner {
				t.Error("no verdict banner in the DOM after load")
			}
			if !failedLadder {
				t.Error("no ladder diagram of a failed connection in the DOM after load")
			}
			for _, w := range tt.wantText {
				if !strings.Contains(text.String(), w) {
					t.Errorf("the page's text lacks %q", w)
				}
			}
			if !tt.wantShots {
				return
			}
			shot := filepath.Join(dir, tt.name+".png")
			openInChromium(t, bin, file, shot)
			f, err := os.Open(shot)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(f)
			f.Close()
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2700 {
				t.Errorf("screenshot is %v, want 1280x2700", b)
			}
			if *screenshot != "" {
				var out bytes.Buffer
				if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, quantize(img)); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(*screenshot, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// quantize maps a screenshot to its 256 most frequent colours, each pixel to
// the nearest of them: a page of flat colours and anti-aliased text keeps its
// look and the PNG shrinks to a size fit for the README.
func quantize(img image.Image) *image.Paletted {
	b := img.Bounds()
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cols := make([]color.RGBA, 0, len(count))
	for c := range count {
		cols = append(cols, c)
	}
	sort.Slice(cols, func(i, j int) bool {
		if count[cols[i]] != count[cols[j]] {
			return count[cols[i]] > count[cols[j]]
		}
		a, c := cols[i], cols[j]
		return uint32(a.R)<<16|uint32(a.G)<<8|uint32(a.B) < uint32(c.R)<<16|uint32(c.G)<<8|uint32(c.B)
	})
	if len(cols) > 256 {
		cols = cols[:256]
	}
	pal := make(color.Palette, len(cols))
	for i, c := range cols {
		pal[i] = c
	}
	out := image.NewPaletted(b, pal)
	nearest := map[color.RGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := nearest[c]
			if !ok {
				i = uint8(pal.Index(c))
				nearest[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

// a4PrintWidth is the width in CSS pixels (96 to the inch) of the printable
// area of an A4 page, 210 mm less the 14 mm margins of the report's @page.
const a4PrintWidth = 688

// TestBrowserNoOverflow opens the golden reports, the triage of the triage
// captures and the report of a certificate with 10,000 SANs in headless
// Chromium, at 1280 px on screen and at the width of A4 paper with print
// media emulated, with every details box open, and checks that no element
// reaches past the page's margins (nothing is cut off on paper, no
// horizontal scrolling on a laptop screen) and that a time in a table cell
// wraps onto two lines at most.
func TestBrowserNoOverflow(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	type page struct {
		name, trust, node string
		inputs            []string
	}
	var pages []page
	for _, c := range htmlCases {
		pages = append(pages, page{c.name, c.trust, c.node, c.inputs})
	}
	triageInputs, err := filepath.Glob("../testdata/triage/captures/*")
	if err != nil || len(triageInputs) == 0 {
		t.Fatalf("no triage captures: %v", err)
	}
	pages = append(pages, page{"triage captures", "../testdata/trust/cucm7-pub-CallManager-trust", "10.10.1.11", triageInputs},
		page{"10,000 SANs", "", "", []string{"../testdata/hostile-many-sans.pcap"}})
	b := startCDP(t, bin)
	for i, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			file := filepath.Join(dir, fmt.Sprintf("page%d.html", i))
			if err := os.WriteFile(file, writeHTMLFor(t, p.trust, p.node, p.inputs...), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, view := range []struct {
				name  string
				width int
				media string
			}{{"screen 1280 px", 1280, "screen"}, {"print A4", a4PrintWidth, "print"}} {
				b.emulate(view.width, view.media)
				b.open(file)
				var o overflow
				b.eval(overflowScript, &o)
				if o.Width != view.width {
					t.Errorf("%s: the page is %d px wide, want %d", view.name, o.Width, view.width)
				}
				if len(o.Over) > 0 || o.ScrollWidth > o.Width {
					t.Errorf("%s: elements reach past the page: %v", view.name, o)
				}
				for _, c := range o.Tall {
					t.Errorf("%s: %s", view.name, c)
				}
			}
		})
	}
}
