package triage

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

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
