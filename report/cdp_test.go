package report

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cdpBrowser is headless Chromium driven through the DevTools protocol over
// --remote-debugging-pipe: commands go to its file descriptor 3 and answers
// and events come from its descriptor 4, each a JSON object ended by a NUL.
// No WebSocket and no network port is needed.
type cdpBrowser struct {
	t       *testing.T
	cmd     *exec.Cmd
	w       *os.File
	r       *bufio.Reader
	nextID  int
	session string // the page's session, once attached
	cancel  context.CancelFunc
}

// cdpMessage is an answer or an event.
type cdpMessage struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Params json.RawMessage `json:"params"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
	SessionID string `json:"sessionId"`
}

// startCDP starts Chromium with a blank page and attaches to that page.
func startCDP(t *testing.T, bin string) *cdpBrowser {
	t.Helper()
	// The profile is not in t.TempDir: Chromium's helper processes may
	// still be writing to it for a moment after the browser exits, which
	// would fail TempDir's own clean-up. It is removed below, best effort.
	dir, err := os.MkdirTemp("", "siptls-cdp-")
	if err != nil {
		t.Fatal(err)
	}
	toChrome, ourEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	theirEnd, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // descriptors 3 and 4
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: %v", bin, err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &cdpBrowser{t: t, cmd: cmd, w: ourEnd, r: bufio.NewReader(theirEnd), cancel: cancel}
	t.Cleanup(func() {
		// Ask Chromium to close, so that it ends its helper processes
		// itself; the context kills it if it has not after 10 s.
		if msg, err := json.Marshal(map[string]any{"id": b.nextID + 1, "method": "Browser.close"}); err == nil {
			_, _ = ourEnd.Write(append(msg, 0))
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.cancel()
			<-done
		}
		b.cancel()
		ourEnd.Close()
		theirEnd.Close()
		for range 20 {
			if os.RemoveAll(dir) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	var targets struct {
		TargetInfos []struct {
			TargetID string `json:"targetId"`
			Type     string `json:"type"`
		} `json:"targetInfos"`
	}
	var page string
	for range 50 {
		b.call("Target.getTargets", nil, &targets)
		for _, ti := range targets.TargetInfos {
			if ti.Type == "page" {
				page = ti.TargetID
			}
		}
		if page != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if page == "" {
		t.Fatal("Chromium shows no page target")
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	b.call("Target.attachToTarget", map[string]any{"targetId": page, "flatten": true}, &att)
	b.session = att.SessionID
	b.call("Page.enable", nil, nil)
	return b
}

// send writes one command and returns its id.
func (b *cdpBrowser) send(method string, params any) int {
	b.t.Helper()
	b.nextID++
	msg := map[string]any{"id": b.nextID, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if b.session != "" && !strings.HasPrefix(method, "Target.") {
		msg["sessionId"] = b.session
	}
	enc, err := json.Marshal(msg)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.w.Write(append(enc, 0)); err != nil {
		b.t.Fatalf("DevTools pipe: %v", err)
	}
	return b.nextID
}

// read returns the next message.
func (b *cdpBrowser) read() cdpMessage {
	b.t.Helper()
	line, err := b.r.ReadBytes(0)
	if err != nil {
		b.t.Fatalf("DevTools pipe: %v", err)
	}
	var m cdpMessage
	if err := json.Unmarshal(line[:len(line)-1], &m); err != nil {
		b.t.Fatalf("DevTools message %q: %v", line, err)
	}
	return m
}

// call sends a command and decodes its result into out (when not nil),
// passing over the events that come before the answer.
func (b *cdpBrowser) call(method string, params, out any) {
	b.t.Helper()
	id := b.send(method, params)
	for {
		m := b.read()
		if m.ID != id {
			continue
		}
		if m.Error != nil {
			b.t.Fatalf("%s: %s", method, m.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(m.Result, out); err != nil {
				b.t.Fatalf("%s: %v", method, err)
			}
		}
		return
	}
}

// open loads file in the page and waits for its load event.
func (b *cdpBrowser) open(file string) {
	b.t.Helper()
	id := b.send("Page.navigate", map[string]any{"url": "file://" + file})
	answered, loaded := false, false
	for !answered || !loaded {
		m := b.read()
		switch {
		case m.ID == id:
			if m.Error != nil {
				b.t.Fatalf("Page.navigate %s: %s", file, m.Error.Message)
			}
			var r struct {
				ErrorText string `json:"errorText"`
			}
			_ = json.Unmarshal(m.Result, &r)
			if r.ErrorText != "" {
				b.t.Fatalf("Page.navigate %s: %s", file, r.ErrorText)
			}
			answered = true
		case m.Method == "Page.loadEventFired" && answered:
			loaded = true
		}
	}
}

// eval evaluates a script in the page (the DevTools protocol is not bound
// by the page's Content-Security-Policy, which forbids scripts) and
// decodes its JSON value into out.
func (b *cdpBrowser) eval(script string, out any) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.call("Runtime.evaluate", map[string]any{"expression": script, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		b.t.Fatalf("script: %s %s", r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if err := json.Unmarshal(r.Result.Value, out); err != nil {
		b.t.Fatalf("script value %s: %v", r.Result.Value, err)
	}
}

// emulate sets the viewport width in CSS pixels and the media type
// ("screen" or "print").
func (b *cdpBrowser) emulate(width int, media string) {
	b.t.Helper()
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil)
	b.call("Emulation.setEmulatedMedia", map[string]any{"media": media}, nil)
}

// overflowScript opens every details element, then lists the elements
// whose box reaches past the page's margins (the content box of the body,
// inside the page's width), outermost first: an element whose parent
// already overflows is not listed again.
// A box that scrolls or clips (overflow other than visible) must hold its
// content: on paper, what it hides is lost. The inside of an SVG drawing
// scales with the drawing and is not looked at.
const overflowScript = `(() => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  const W = document.documentElement.clientWidth;
  const body = document.body.getBoundingClientRect(), cs = getComputedStyle(document.body);
  const left = Math.max(0, body.left + parseFloat(cs.paddingLeft)), right = Math.min(W, body.right - parseFloat(cs.paddingRight));
  const over = el => {
    const r = el.getBoundingClientRect();
    return (r.width > 0 || r.height > 0) && (r.right > right + 0.5 || r.left < left - 0.5);
  };
  const name = el => {
    let n = el.tagName.toLowerCase();
    if (el.id) n += '#' + el.id;
    if (el.className && typeof el.className === 'string') n += '.' + el.className.trim().split(/\s+/).join('.');
    return n;
  };
  const text = el => '"' + (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60) + '"';
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.ownerSVGElement) continue;
    if (getComputedStyle(el).overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) {
      out.push(name(el) + ' hides ' + (el.scrollWidth - el.clientWidth) + ' px of its content ' + text(el));
      continue;
    }
    if (!over(el)) continue;
    if (el.parentElement && el.parentElement !== document.body && over(el.parentElement)) continue;
    const r = el.getBoundingClientRect();
    out.push(name(el) + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + '] ' + text(el));
  }
  // A table cell of times ("2026-11-20 14:03:00.400000 UTC", one per
  // line) takes at most two lines per time: the date, then the time.
  const tall = [];
  const stamp = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}[ \u00a0]UTC/g;
  for (const td of document.querySelectorAll('td')) {
    const times = (td.textContent.match(stamp) || []).length;
    if (times === 0 || td.textContent.replace(stamp, '').replace(/[\s–]/g, '') !== '') continue;
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size;
    if (lines > 2 * times) tall.push(times + ' times on ' + lines + ' lines: ' + text(td));
  }
  return {width: W, left: Math.round(left), right: Math.round(right), scrollWidth: document.documentElement.scrollWidth, over: out, tall: tall};
})()`

// overflow is what overflowScript returns.
type overflow struct {
	Width       int      `json:"width"`
	Left, Right int      // the margins: the body's content box
	ScrollWidth int      `json:"scrollWidth"`
	Over        []string `json:"over"`
	Tall        []string `json:"tall"` // cells of times on more than two lines per time
}

// String lists the first overflowing elements.
func (o overflow) String() string {
	list := o.Over
	if len(list) > 12 {
		list = append(list[:12:12], fmt.Sprintf("and %d more", len(o.Over)-12))
	}
	return fmt.Sprintf("page %d px wide, margins at %d and %d px, content %d px wide: %s", o.Width, o.Left, o.Right, o.ScrollWidth, strings.Join(list, "; "))
}
