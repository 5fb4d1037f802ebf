package triage

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/siptls/siptls/diagnose"
	"github.com/siptls/siptls/trust"
)

// TestVerifyError checks that crypto/x509's errors, wrapped as the trust
// package wraps them, map to stable codes.
func TestVerifyError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"unknown authority", &trust.VerifyError{Err: x509.UnknownAuthorityError{}}, "unknown_authority"},
		{"expired", &trust.VerifyError{Err: x509.CertificateInvalidError{Reason: x509.Expired}}, "expired"},
		{"usage", &trust.VerifyError{Err: x509.CertificateInvalidError{Reason: x509.IncompatibleUsage}}, "incompatible_usage"},
		{"hostname", &trust.VerifyError{Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}}, "hostname_mismatch"},
		{"other", &trust.VerifyError{Err: errors.New("boom")}, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := verifyError(tt.err)
			if tt.want == "" {
				if got != nil {
					t.Errorf("got %+v, want nil", got)
				}
				return
			}
			if got == nil || got.Code != tt.want || got.Message == "" {
				t.Errorf("got %+v, want code %s", got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 µs"},
		{499 * time.Nanosecond, "0 µs"},
		{38500 * time.Nanosecond, "39 µs"},
		{999 * time.Microsecond, "999 µs"},
		{4120 * time.Microsecond, "4.1 ms"},
		{42 * time.Millisecond, "42 ms"},
		{1500 * time.Millisecond, "1.50 s"},
	}
	for _, tt := range tests {
		if got := duration(tt.d); got != tt.want {
			t.Errorf("duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestTimeJSON: a Time is RFC 3339 with nanoseconds in UTC whatever its
// zone, and a damaged capture timestamp beyond year 9999 or before year 0
// is written, not refused (time.Time's MarshalJSON refused it, which failed
// the whole JSON report).
func TestTimeJSON(t *testing.T) {
	east := time.FixedZone("UTC+5", 5*3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 20, 14, 3, 0, 210000000, time.UTC), `"2026-11-20T14:03:00.21Z"`},
		{time.Date(2026, 11, 20, 19, 3, 0, 0, east), `"2026-11-20T14:03:00Z"`},
		{time.Date(11533, 7, 5, 19, 23, 0, 210000000, time.UTC), `"11533-07-05T19:23:00.21Z"`},
		{time.Date(-1, 1, 1, 0, 0, 0, 1, time.UTC), `"-0001-01-01T00:00:00.000000001Z"`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(Time{tt.in})
		if err != nil || string(b) != tt.want {
			t.Errorf("json.Marshal(%v) = %s, %v; want %s", tt.in, b, err, tt.want)
		}
		text, _ := Time{tt.in}.MarshalText()
		if `"`+string(text)+`"` != tt.want {
			t.Errorf("MarshalText(%v) = %s, want the JSON string's text %s", tt.in, text, tt.want)
		}
	}
}

// TestStaleCopyHintLeftToTrust: the stale_copy_likely finding, a guess from
// the CertificateRequest's names, is dropped when a trust folder judged the
// client's chain, and kept when none did (no --trust, or a folder of the
// client's node judging the server's chain only).
func TestStaleCopyHintLeftToTrust(t *testing.T) {
	judged := func(sides ...diagnose.Side) *trust.ConnectionTrust {
		ct := &trust.ConnectionTrust{}
		for _, s := range sides {
			ct.Sides = append(ct.Sides, trust.SideTrust{SentBy: s, Judgement: &trust.Judgement{Status: trust.StatusStaleCopy}})
		}
		return ct
	}
	tests := []struct {
		name string
		t    *trust.ConnectionTrust
		want []diagnose.FindingCode
	}{
		{"no trust folder", nil, []diagnose.FindingCode{diagnose.FindingWarningAlert, diagnose.FindingStaleCopyLikely}},
		{"server's chain judged", judged(diagnose.Server), []diagnose.FindingCode{diagnose.FindingWarningAlert, diagnose.FindingStaleCopyLikely}},
		{"client's chain judged", judged(diagnose.Server, diagnose.Client), []diagnose.FindingCode{diagnose.FindingWarningAlert}},
	}
	for _, tt := range tests {
		c := &diagnose.Connection{Verdict: diagnose.VerdictFailed, Reason: diagnose.ReasonFatalAlert, Findings: []diagnose.Finding{
			{Code: diagnose.FindingWarningAlert, Frame: 8}, {Code: diagnose.FindingStaleCopyLikely, Frame: 12}}}
		v := BuildJudgedConnection(c, tt.t)
		var got []diagnose.FindingCode
		for _, f := range v.Findings {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: findings %v, want %v", tt.name, got, tt.want)
		}
		if len(c.Findings) != 2 {
			t.Errorf("%s: the connection's findings changed: %v", tt.name, c.Findings)
		}
	}
}
