package screentext

import (
	"testing"

	"github.com/siptls/siptls/diagnose"
)

// TestSharedWords checks that the verdict and reason words screen text
// shares with captures are spelled as diagnose spells them.
func TestSharedWords(t *testing.T) {
	for _, w := range []struct{ screen, capture string }{
		{string(VerdictRefused), string(diagnose.VerdictRefused)},
		{string(VerdictNoAnswer), string(diagnose.VerdictNoAnswer)},
		{string(VerdictIncomplete), string(diagnose.VerdictIncomplete)},
		{string(ReasonSYNReset), string(diagnose.ReasonSYNReset)},
		{string(ReasonSYNUnanswered), string(diagnose.ReasonSYNUnanswered)},
		{string(ReasonCaptureEnded), string(diagnose.ReasonCaptureEnded)},
		{string(ReasonMidstream), string(diagnose.ReasonMidstream)},
	} {
		if w.screen != w.capture {
			t.Errorf("screen text says %q where captures say %q", w.screen, w.capture)
		}
	}
	if PromptClose != diagnose.PromptClose {
		t.Errorf("PromptClose %v, captures' %v", PromptClose, diagnose.PromptClose)
	}
	for _, v := range diagnose.Verdicts() {
		if string(v) == string(VerdictEstablished) {
			t.Errorf("%q is a capture verdict too: its meaning would differ", v)
		}
	}
}
