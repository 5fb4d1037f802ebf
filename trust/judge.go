package trust

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
)

// Status is the trust verdict for one presented chain. The words are part of
// siptls' output contract: scripts compare them.
type Status string

// The verdicts, in the order Judge tries them.
const (
	// StatusExactMatch: the presented leaf certificate itself (same SHA-256)
	// is in the trust folder; Judgement.File names the file.
	StatusExactMatch Status = "exact_match"
	// StatusChainsTo: crypto/x509 verifies the presented chain up to a
	// certificate of the trust folder; Judgement.Files names the anchor
	// file(s), Detail says which intermediates came from the wire and
	// which from the folder.
	StatusChainsTo Status = "chains_to"
	// StatusStaleCopy: nothing in the folder trusts the presented leaf, but
	// the folder holds a certificate with the same subject (or, failing that,
	// the same CN, case-insensitively) and another fingerprint: an old copy
	// of a regenerated certificate. Judgement.File names it; Detail gives
	// both serials and validity ranges and says "replace FILE with the
	// certificate the peer presents now".
	StatusStaleCopy Status = "stale_copy"
	// StatusMissingIntermediate: the issuer of the leaf (or of a presented
	// intermediate) was neither sent nor is in the folder, but a higher CA
	// is: Judgement.Missing names the missing intermediate CA, File the
	// higher CA. The higher CA is a certificate of the folder that is named
	// further up the presented chain (as its subject or issuer, or by its
	// subject key identifier), or else a self-signed root CA of the folder
	// (keyCertSign, no DNS names) of the same organization (O=) as the
	// missing issuer.
	StatusMissingIntermediate Status = "missing_intermediate"
	// StatusUntrusted: none of the above. Detail says what to upload as
	// CallManager-trust on which node: the certificate itself when it is
	// self-signed, else its issuing CA (named in Judgement.Missing).
	StatusUntrusted Status = "untrusted"
	// StatusCaptureIncomplete: the capture lost part of the presented chain
	// (a segment inside a certificate after the leaf was not captured), and
	// the certificates it did show neither match nor chain to the folder:
	// the lost certificate may be the one that would, so nothing is
	// concluded. Detail names the lost position. Judge never returns it;
	// Judge.Connection does, for chains the capture did not show whole.
	StatusCaptureIncomplete Status = "capture_incomplete"
)

// Severity grades a Check.
type Severity string

// Severities.
const (
	// SeverityError: a problem that makes handshakes fail.
	SeverityError Severity = "error"
	// SeverityWarning: a problem that will make them fail, or does with
	// some peers.
	SeverityWarning Severity = "warning"
	// SeverityInfo: worth knowing.
	SeverityInfo Severity = "info"
)

// CheckCode is the machine code of a Check (JSON field "code"). Like the
// Status words its values are part of the output contract.
type CheckCode string

// Check codes.
const (
	// CheckMissingClientAuth: the client's certificate has an extended key
	// usage extension without clientAuth (TLS Web Client Authentication).
	CheckMissingClientAuth CheckCode = "missing_client_auth"
	// CheckMissingServerAuth: the server's certificate has an extended key
	// usage extension without serverAuth.
	CheckMissingServerAuth CheckCode = "missing_server_auth"
	// CheckKeyUsage: the keyUsage extension allows neither
	// digitalSignature nor keyEncipherment (or, for a client or an ECDSA
	// key, lacks digitalSignature).
	CheckKeyUsage CheckCode = "key_usage"
	// CheckWeakRSAKey: an RSA key under 2048 bits in the presented chain.
	CheckWeakRSAKey CheckCode = "weak_rsa_key"
	// CheckWeakSignature: a certificate of the presented chain is signed
	// with SHA-1 or MD5.
	CheckWeakSignature CheckCode = "weak_signature"
	// CheckExpiredAtCapture: a presented certificate had expired at the
	// capture time.
	CheckExpiredAtCapture CheckCode = "expired_at_capture"
	// CheckNotYetValidAtCapture: a presented certificate was not yet valid
	// at the capture time.
	CheckNotYetValidAtCapture CheckCode = "not_yet_valid_at_capture"
	// CheckExpiresSoon: a presented certificate expires within 30 days of
	// JudgeOptions.Today, or has expired since the capture.
	CheckExpiresSoon CheckCode = "expires_soon"
	// CheckTrustFileExpired: the trust folder's certificate that anchors
	// (or would anchor) the chain had expired at the capture time, or was
	// not yet valid.
	CheckTrustFileExpired CheckCode = "trust_file_expired_at_capture"
	// CheckUnparsable: crypto/x509 refused a presented certificate, so it
	// could not be verified.
	CheckUnparsable CheckCode = "unparsable_certificate"
)

// MaxChain is the number of presented certificates JudgeWith looks at; the
// rest of a longer (hostile) chain is ignored. Real chains have 1 to 4.
const MaxChain = 32

// ExpiresSoonDays is the warning threshold of CheckExpiresSoon.
const ExpiresSoonDays = 30

// Check is one finding about the presented chain.
type Check struct {
	// Code is one of the Check constants.
	Code CheckCode `json:"code"`
	// Severity grades it.
	Severity Severity `json:"severity"`
	// Sentence explains it in CUCM words, naming the certificate.
	Sentence string `json:"sentence"`
}

// Validity is a certificate's validity at one instant, as certinfo.ValidAt
// gives it.
type Validity struct {
	// Status is where the instant falls in the validity period; in JSON its
	// word: "valid", "expired", "not_yet_valid" or "unknown".
	Status certinfo.Validity `json:"status"`
	// Days is the whole days left (valid), since expiry (expired) or until
	// the start (not_yet_valid).
	Days int `json:"days"`
}

// CertValidity is the validity of one certificate of the presented chain.
type CertValidity struct {
	// Index is the position in the chain as sent (0 is the leaf).
	Index int `json:"index"`
	// Subject and Serial identify the certificate.
	Subject string `json:"subject"`
	Serial  string `json:"serial"`
	// AtCapture is the validity at the capture time.
	AtCapture Validity `json:"at_capture"`
	// Today is the validity at JudgeOptions.Today; nil when Today was not
	// given.
	Today *Validity `json:"today,omitempty"`
}

// Judgement is the verdict on one presented chain.
type Judgement struct {
	// Status is the trust verdict.
	Status Status `json:"status"`
	// File is the trust file the verdict names: the same certificate
	// (exact_match), the first anchor (chains_to), the old copy
	// (stale_copy), the higher CA (missing_intermediate); "" for untrusted.
	File string `json:"file"`
	// Files lists every trust file involved (chains_to: each anchor and
	// each intermediate taken from the folder).
	Files []string `json:"files"`
	// Detail is one sentence in CUCM words naming files, serials and
	// dates.
	Detail string `json:"detail"`
	// Anchor is the trust folder entry named by File, nil for untrusted.
	Anchor *Entry `json:"-"`
	// Missing names (RFC 4514) the CA certificate to obtain: the missing
	// intermediate, or for an untrusted CA-signed leaf its issuer.
	Missing string `json:"missing,omitempty"`
	// Checks are the role, key, signature and validity findings.
	Checks []Check `json:"checks"`
	// Chain is the validity of each presented certificate.
	Chain []CertValidity `json:"chain"`
	// ChainUsed is the chain crypto/x509 built for chains_to, leaf first,
	// anchor last, saying where each certificate came from; nil for the
	// other statuses.
	ChainUsed []Link `json:"chain_used,omitempty"`
	// Err is crypto/x509's verification error at the capture time, as a
	// *VerifyError, when verification failed (also when the status is a
	// trust status reached otherwise, e.g. exact_match of an expired
	// certificate); nil when it succeeded or was not attempted.
	Err error `json:"-"`
}

// Sources of a Link.
const (
	// SourcePeer: the certificate was in the presented chain.
	SourcePeer = "peer"
	// SourceTrustFolder: the certificate was taken from the trust folder.
	SourceTrustFolder = "trust_folder"
)

// Link is one certificate of a verified chain.
type Link struct {
	// Subject names the certificate ("CN=..." or the RFC 4514 subject).
	Subject string `json:"subject"`
	// Serial is the serial number in lowercase hex.
	Serial string `json:"serial"`
	// Source is SourcePeer or SourceTrustFolder.
	Source string `json:"source"`
	// File is the trust file (Entry.Name) for SourceTrustFolder, else "".
	File string `json:"file,omitempty"`
}

// VerifyError carries crypto/x509's error unchanged: errors.As finds
// x509.UnknownAuthorityError, x509.CertificateInvalidError (Expired,
// IncompatibleUsage, ...) and the others through Unwrap.
type VerifyError struct {
	// Err is the error crypto/x509's Verify returned.
	Err error
}

// Error implements error.
func (e *VerifyError) Error() string { return "trust: verify: " + e.Err.Error() }

// Unwrap returns crypto/x509's error.
func (e *VerifyError) Unwrap() error { return e.Err }

// JudgeOptions are the inputs of JudgeWith besides the chain.
type JudgeOptions struct {
	// At is the capture time of the packet that carried the chain: the
	// chain is verified at this time.
	At time.Time
	// Today, when not zero, adds the validity today and the expires_soon
	// warning. Pass the real date from the command, never time.Now here.
	Today time.Time
	// Role is which side of the handshake presented the chain: a
	// diagnose.Server certificate needs serverAuth, a diagnose.Client one
	// (mutual TLS) clientAuth. The zero value is diagnose.Client.
	Role diagnose.Side
}

// Judge returns the verdict on chain (leaf first, as sent) presented in the
// given role, at the capture time at. It is JudgeWith without Today.
func (s *Store) Judge(chain []*certinfo.Info, at time.Time, role diagnose.Side) *Judgement {
	return s.JudgeWith(chain, JudgeOptions{At: at, Role: role})
}

// JudgeWith returns the verdict on chain (leaf first, as sent). Nil entries
// of chain, and certificates beyond the first MaxChain, are ignored. The trust part of the verdict is cached by the
// chain's fingerprints and the validity of every certificate involved at
// opts.At, so judging the same chain again is cheap. JudgeWith is safe for
// concurrent use.
func (s *Store) JudgeWith(chain []*certinfo.Info, opts JudgeOptions) *Judgement {
	chain = slices.DeleteFunc(slices.Clone(chain), func(i *certinfo.Info) bool { return i == nil })
	if len(chain) > MaxChain {
		chain = chain[:MaxChain]
	}
	j := &Judgement{Files: []string{}, Checks: []Check{}, Chain: []CertValidity{}}
	if len(chain) == 0 {
		j.Status = StatusUntrusted
		j.Detail = "The peer presented no certificate."
		return j
	}
	key := s.cacheKey(chain, opts.At)
	r := s.cache.get(key)
	if r == nil {
		r = s.judgeTrust(chain, opts.At)
		s.cache.put(key, r)
	}
	j.Status, j.File, j.Files, j.Detail, j.Anchor, j.Missing, j.Err = r.status, r.file, r.files, r.detail, r.anchor, r.missing, r.err
	for _, e := range r.storeUsed {
		if v, _ := e.Info.ValidAt(opts.At); v.OutOfPeriod() {
			j.Checks = append(j.Checks, trustFileCheck(e, opts.At))
		}
	}
	j.ChainUsed = r.chainUsed
	j.Chain, j.Checks = validity(chain, opts, j.Checks)
	j.Checks = append(j.Checks, roleChecks(chain[0], opts.Role)...)
	j.Checks = append(j.Checks, weakChecks(chain)...)
	if j.Files == nil {
		j.Files = []string{}
	}
	if j.Checks == nil {
		j.Checks = []Check{} // JSON lists are never null
	}
	return j
}

// trustResult is the cacheable part of a Judgement.
type trustResult struct {
	status  Status
	file    string
	files   []string
	detail  string
	anchor  *Entry
	missing string
	err     error
	// storeUsed are the trust folder entries the verdict relies on or
	// names, checked for validity at each judgement.
	storeUsed []*Entry
	chainUsed []Link
}

// cacheKey identifies the trust question: the chain's fingerprints and, for
// every certificate involved, on which side of its validity bounds at lies.
func (s *Store) cacheKey(chain []*certinfo.Info, at time.Time) string {
	var b strings.Builder
	b.Grow(len(chain)*66 + 24)
	for _, c := range chain {
		b.WriteString(c.SHA256)
		switch {
		case c.NotBefore.IsZero() || c.NotAfter.IsZero():
			b.WriteByte('?')
		case at.Before(c.NotBefore):
			b.WriteByte('<')
		case at.After(c.NotAfter):
			b.WriteByte('>')
		default:
			b.WriteByte('=')
		}
	}
	n := sort.Search(len(s.bounds), func(i int) bool { return s.bounds[i] > at.UnixNano() })
	b.WriteString(strconv.Itoa(n))
	return b.String()
}

// buildBounds collects the instants at which a store certificate becomes
// valid or stops being valid.
func (s *Store) buildBounds() {
	for _, e := range s.unique {
		if !e.Info.NotBefore.IsZero() {
			s.bounds = append(s.bounds, e.Info.NotBefore.UnixNano())
		}
		if !e.Info.NotAfter.IsZero() {
			s.bounds = append(s.bounds, e.Info.NotAfter.UnixNano()+1)
		}
	}
	slices.Sort(s.bounds)
	s.bounds = slices.Compact(s.bounds)
}

func (s *Store) judgeTrust(chain []*certinfo.Info, at time.Time) *trustResult {
	leaf := chain[0]
	r := &trustResult{}
	if e := s.bySHA[leaf.SHA256]; e != nil {
		r.status, r.file, r.files, r.anchor = StatusExactMatch, e.Name(), []string{e.Name()}, e
		r.detail = fmt.Sprintf("%s serial %s is in the trust folder%s as %s.", certName(leaf), leaf.Serial, s.onNode(), e.Name())
		r.storeUsed = []*Entry{e}
		if leaf.Cert != nil {
			if _, err := s.verify(chain, at); err != nil {
				r.err = &VerifyError{Err: err}
			}
		}
		return r
	}
	if leaf.Cert != nil {
		chains, err := s.verify(chain, at)
		if err != nil {
			r.err = &VerifyError{Err: err}
			// Would it be trusted if the certificates were valid? The
			// validity checks then report the expiry separately.
			chains = s.retryOutOfValidity(chain, at, err)
		}
		if len(chains) > 0 {
			s.describeChain(r, chain, pickChain(chains))
			return r
		}
	}
	if s.staleCopy(r, leaf) {
		return r
	}
	if s.missingIntermediate(r, chain) {
		return r
	}
	s.untrusted(r, chain)
	return r
}

// verify runs crypto/x509 with the presented intermediates plus the store's
// certificates that are not self-signed as Intermediates, every store
// certificate as a root, at the capture time, for any key usage.
func (s *Store) verify(chain []*certinfo.Info, at time.Time) ([][]*x509.Certificate, error) {
	inters := s.inters.Clone()
	for _, c := range chain[1:] {
		if c.Cert != nil {
			inters.AddCert(c.Cert)
		}
	}
	return chain[0].Cert.Verify(x509.VerifyOptions{
		Intermediates: inters,
		Roots:         s.roots,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
}

// retryOutOfValidity verifies again at a time when the certificate that
// was out of its validity period at the capture time is valid (at most two
// more attempts); it returns nil when that does not make the chain verify.
func (s *Store) retryOutOfValidity(chain []*certinfo.Info, at time.Time, err error) [][]*x509.Certificate {
	lo, hi := time.Time{}, time.Time{}
	for range 2 {
		var ci x509.CertificateInvalidError
		if !errors.As(err, &ci) || (ci.Reason != x509.Expired) || ci.Cert == nil {
			return nil
		}
		if lo.IsZero() || ci.Cert.NotBefore.After(lo) {
			lo = ci.Cert.NotBefore
		}
		if hi.IsZero() || ci.Cert.NotAfter.Before(hi) {
			hi = ci.Cert.NotAfter
		}
		if hi.Before(lo) {
			return nil
		}
		t := at
		if t.Before(lo) {
			t = lo
		}
		if t.After(hi) {
			t = hi
		}
		var chains [][]*x509.Certificate
		chains, err = s.verify(chain, t)
		if err == nil {
			return chains
		}
	}
	return nil
}

// pickChain prefers a chain ending in a self-signed root, then the
// shortest.
func pickChain(chains [][]*x509.Certificate) []*x509.Certificate {
	best := chains[0]
	score := func(c []*x509.Certificate) int {
		top := c[len(c)-1]
		n := len(c)
		if bytes.Equal(top.RawSubject, top.RawIssuer) {
			n -= 100
		}
		return n
	}
	for _, c := range chains[1:] {
		if score(c) < score(best) {
			best = c
		}
	}
	return best
}

func (s *Store) describeChain(r *trustResult, chain []*certinfo.Info, vc []*x509.Certificate) {
	wire := map[string]bool{}
	for _, c := range chain {
		wire[string(c.DER)] = true
	}
	anchor := s.byPoolCert[vc[len(vc)-1]]
	r.status, r.anchor = StatusChainsTo, anchor
	r.file = anchor.Name()
	r.files = []string{anchor.Name()}
	var parts []string
	for _, c := range vc[1 : len(vc)-1] {
		if e := s.byPoolCert[c]; e != nil && !wire[string(c.Raw)] {
			r.files = append(r.files, e.Name())
			parts = append(parts, fmt.Sprintf("intermediate %s from the trust folder (%s)", certNameX(c), e.Name()))
		} else {
			parts = append(parts, fmt.Sprintf("intermediate %s sent by the peer", certNameX(c)))
		}
	}
	leaf := chain[0]
	d := fmt.Sprintf("%s serial %s chains to %s, which the trust folder%s holds as %s", certName(leaf), leaf.Serial, certName(anchor.Info), s.onNode(), anchor.Name())
	if len(parts) > 0 {
		d += ", through " + strings.Join(parts, " and ")
	}
	r.detail = d + "."
	for _, c := range vc {
		e := s.byPoolCert[c]
		l := Link{Subject: certNameX(c), Serial: hexSerial(c), Source: SourcePeer}
		if e != nil && !wire[string(c.Raw)] {
			l.Source, l.File = SourceTrustFolder, e.Name()
			r.storeUsed = append(r.storeUsed, e)
		}
		r.chainUsed = append(r.chainUsed, l)
	}
}

func trustFileCheck(e *Entry, at time.Time) Check {
	v, days := e.Info.ValidAt(at)
	what := fmt.Sprintf("had expired %s before the capture (%s)", plural(days, "day"), e.Info.NotAfter.Format(time.DateOnly))
	if v == certinfo.NotYetValid {
		what = fmt.Sprintf("was not yet valid at the capture time (from %s)", e.Info.NotBefore.Format(time.DateOnly))
	}
	return Check{Code: CheckTrustFileExpired, Severity: SeverityError,
		Sentence: fmt.Sprintf("The trust file %s (%s serial %s) %s: upload a current copy.", e.Name(), certName(e.Info), e.Info.Serial, what)}
}

// staleCopy looks for a certificate of the same subject, else the same CN.
func (s *Store) staleCopy(r *trustResult, leaf *certinfo.Info) bool {
	var cands []*Entry
	if leaf.Cert != nil {
		cands = s.bySubject[string(leaf.Cert.RawSubject)]
	}
	if len(cands) == 0 && leaf.Subject != "" {
		cands = s.bySubject["dn:"+leaf.Subject]
	}
	if len(cands) == 0 && leaf.SubjectCN != "" {
		cands = s.byCN[strings.ToLower(leaf.SubjectCN)]
	}
	if len(cands) == 0 {
		return false
	}
	e := cands[0]
	r.status, r.anchor, r.file = StatusStaleCopy, e, e.Name()
	for _, c := range cands {
		r.files = append(r.files, c.Name())
	}
	r.detail = fmt.Sprintf("The trust folder%s holds another certificate for %s: %s, serial %s, valid %s, while the peer presents serial %s, valid %s; replace %s with the certificate the peer presents now.",
		s.onNode(), certName(leaf), e.Name(), e.Info.Serial, dateRange(e.Info), leaf.Serial, dateRange(leaf), e.Name())
	r.storeUsed = []*Entry{e}
	return true
}

// missingIntermediate walks up the presented chain by issuer name and key
// identifier; at the first issuer that is neither sent nor in the store, it
// looks for a higher CA in the store: a name further up the presented
// chain, or a self-signed CA of the store with the same organization as the
// missing issuer.
func (s *Store) missingIntermediate(r *trustResult, chain []*certinfo.Info) bool {
	cur := chain[0]
	used := map[*certinfo.Info]bool{cur: true}
	for cur.Cert != nil {
		if bytes.Equal(cur.Cert.RawIssuer, cur.Cert.RawSubject) {
			return false // self-signed top: nothing is missing above it
		}
		if len(s.bySubject[string(cur.Cert.RawIssuer)]) > 0 || s.hasSKID(cur.Cert.AuthorityKeyId) {
			return false // the issuer is in the store, verification failed otherwise
		}
		var next *certinfo.Info
		for _, c := range chain[1:] {
			if c.Cert != nil && !used[c] && issuedBy(cur.Cert, c.Cert) {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		used[next] = true
		cur = next
	}
	if cur.Cert == nil {
		return false
	}
	missing, _ := certinfo.FormatDN(cur.Cert.RawIssuer)
	// A higher CA named further up the presented chain.
	var higher *Entry
	for _, c := range chain[1:] {
		if used[c] || c.Cert == nil {
			continue
		}
		if e := s.bySHA[c.SHA256]; e != nil {
			higher = e
			break
		}
		for _, raw := range [][]byte{c.Cert.RawSubject, c.Cert.RawIssuer} {
			if es := s.bySubject[string(raw)]; len(es) > 0 {
				higher = es[0]
				break
			}
		}
		if higher == nil {
			higher = s.bySKID(c.Cert.AuthorityKeyId)
		}
		if higher != nil {
			break
		}
	}
	if higher == nil {
		higher = s.sameOrgRoot(cur.Cert)
	}
	if higher == nil {
		return false
	}
	r.status, r.anchor, r.file, r.files, r.missing = StatusMissingIntermediate, higher, higher.Name(), []string{higher.Name()}, missing
	leaf := chain[0]
	r.detail = fmt.Sprintf("%s serial %s was issued through the intermediate CA %s, which the peer did not send and the trust folder%s does not hold, while the folder holds the higher CA %s (%s): upload %s as CallManager-trust%s, or have the peer send its whole chain.",
		certName(leaf), leaf.Serial, missing, s.onNode(), certName(higher.Info), higher.Name(), missing, s.onNodeUpload())
	return true
}

// issuedBy reports whether parent's name and key identifier match child's
// issuer (the signature is not checked: it decides nothing here).
func issuedBy(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	return len(child.AuthorityKeyId) == 0 || len(parent.SubjectKeyId) == 0 || bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId)
}

func (s *Store) hasSKID(akid []byte) bool { return s.bySKID(akid) != nil }

// bySKID returns the store entry whose subject key identifier is akid.
func (s *Store) bySKID(akid []byte) *Entry {
	if len(akid) == 0 {
		return nil
	}
	for _, e := range s.unique {
		if e.Info.Cert != nil && bytes.Equal(e.Info.Cert.SubjectKeyId, akid) {
			return e
		}
	}
	return nil
}

// sameOrgRoot finds a self-signed CA of the store (keyCertSign, not a
// CallManager-style self-signed leaf with SANs) whose organization is the
// organization of c's issuer.
func (s *Store) sameOrgRoot(c *x509.Certificate) *Entry {
	if len(c.Issuer.Organization) == 0 {
		return nil
	}
	for _, e := range s.unique {
		rc := e.Info.Cert
		if rc == nil || !e.Info.SelfSigned || !rc.IsCA || rc.KeyUsage&x509.KeyUsageCertSign == 0 || len(rc.DNSNames) > 0 {
			continue
		}
		if slices.Equal(rc.Subject.Organization, c.Issuer.Organization) && !bytes.Equal(rc.RawSubject, c.RawIssuer) {
			return e
		}
	}
	return nil
}

func (s *Store) untrusted(r *trustResult, chain []*certinfo.Info) {
	leaf := chain[0]
	r.status = StatusUntrusted
	if leaf.SelfSigned || (leaf.Subject != "" && leaf.Subject == leaf.Issuer) {
		r.detail = fmt.Sprintf("%s serial %s is self-signed and not in the trust folder%s: upload it (%s.pem, written by siptls extract) as CallManager-trust%s.",
			certName(leaf), leaf.Serial, s.onNode(), leaf.FileName(), s.onNodeUpload())
		return
	}
	// The top of the presented chain's issuer is the CA to upload.
	top := leaf
	for _, c := range chain[1:] {
		if c.Cert != nil && top.Cert != nil && issuedBy(top.Cert, c.Cert) {
			top = c
		}
	}
	if top != leaf && top.SelfSigned {
		r.missing = top.Subject
		r.detail = fmt.Sprintf("%s serial %s chains to the root CA %s, which the peer sent but the trust folder%s does not hold: upload %s as CallManager-trust%s.",
			certName(leaf), leaf.Serial, top.Subject, s.onNode(), top.Subject, s.onNodeUpload())
		return
	}
	if top.Cert != nil && r.err != nil {
		if es := s.bySubject[string(top.Cert.RawIssuer)]; len(es) > 0 {
			r.file, r.files, r.anchor, r.storeUsed = es[0].Name(), []string{es[0].Name()}, es[0], es[:1]
			r.detail = fmt.Sprintf("%s serial %s was issued by %s, which the trust folder%s holds as %s, but the chain does not verify: %v.",
				certName(leaf), leaf.Serial, top.Issuer, s.onNode(), es[0].Name(), errors.Unwrap(r.err))
			return
		}
	}
	r.missing = top.Issuer
	r.detail = fmt.Sprintf("%s serial %s was issued by %s, which is not in the trust folder%s: upload the certificate of %s as CallManager-trust%s.",
		certName(leaf), leaf.Serial, top.Issuer, s.onNode(), top.Issuer, s.onNodeUpload())
	var ua x509.UnknownAuthorityError
	if r.err != nil && !errors.As(r.err, &ua) {
		r.detail = strings.TrimSuffix(r.detail, ".") + " (verification also failed: " + errors.Unwrap(r.err).Error() + ")."
	}
}

func (s *Store) onNode() string {
	if s.Node == "" {
		return ""
	}
	return " of " + s.Node
}

func (s *Store) onNodeUpload() string {
	if s.Node == "" {
		return " on the node that received it"
	}
	return " on " + s.Node
}

// certName names a certificate in a sentence: "CN=name", else its subject.
func certName(i *certinfo.Info) string {
	if i.SubjectCN != "" {
		return "CN=" + i.SubjectCN
	}
	if i.Subject != "" {
		return i.Subject
	}
	return "the certificate with SHA-256 " + i.SHA256
}

func hexSerial(c *x509.Certificate) string {
	if c.SerialNumber == nil {
		return ""
	}
	h := fmt.Sprintf("%x", c.SerialNumber)
	if len(h)%2 == 1 {
		h = "0" + h // whole bytes, as certinfo writes serials
	}
	return h
}

func certNameX(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	dn, _ := certinfo.FormatDN(c.RawSubject)
	return dn
}

func dateRange(i *certinfo.Info) string {
	if i.NotBefore.IsZero() || i.NotAfter.IsZero() {
		return "(dates unreadable)"
	}
	return i.NotBefore.Format(time.DateOnly) + " to " + i.NotAfter.Format(time.DateOnly)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// validity fills the chain's validity and adds the validity checks.
func validity(chain []*certinfo.Info, opts JudgeOptions, checks []Check) ([]CertValidity, []Check) {
	out := make([]CertValidity, 0, len(chain))
	for i, c := range chain {
		st, days := c.ValidAt(opts.At)
		cv := CertValidity{Index: i, Subject: c.Subject, Serial: c.Serial, AtCapture: Validity{Status: st, Days: days}}
		what := "The peer's certificate"
		if i > 0 {
			what = "The intermediate CA certificate"
		}
		switch st {
		case certinfo.Expired:
			checks = append(checks, Check{Code: CheckExpiredAtCapture, Severity: SeverityError,
				Sentence: fmt.Sprintf("%s %s serial %s had expired %s before the capture (not after %s).", what, certName(c), c.Serial, plural(days, "day"), c.NotAfter.Format(time.DateOnly))})
		case certinfo.NotYetValid:
			checks = append(checks, Check{Code: CheckNotYetValidAtCapture, Severity: SeverityError,
				Sentence: fmt.Sprintf("%s %s serial %s was not yet valid at the capture time: it starts %s later (not before %s); check the clocks (NTP).", what, certName(c), c.Serial, plural(days, "day"), c.NotBefore.Format(time.DateOnly))})
		}
		if !opts.Today.IsZero() {
			tst, tdays := c.ValidAt(opts.Today)
			cv.Today = &Validity{Status: tst, Days: tdays}
			switch {
			case tst == certinfo.Valid && tdays < ExpiresSoonDays:
				checks = append(checks, Check{Code: CheckExpiresSoon, Severity: SeverityWarning,
					Sentence: fmt.Sprintf("%s %s serial %s expires in %s (%s): renew it and upload the new one as CallManager-trust where it is trusted.", what, certName(c), c.Serial, plural(tdays, "day"), c.NotAfter.Format(time.DateOnly))})
			case tst == certinfo.Expired && st == certinfo.Valid:
				checks = append(checks, Check{Code: CheckExpiresSoon, Severity: SeverityWarning,
					Sentence: fmt.Sprintf("%s %s serial %s has expired since the capture (%s, %s ago).", what, certName(c), c.Serial, c.NotAfter.Format(time.DateOnly), plural(tdays, "day"))})
			}
		}
		out = append(out, cv)
	}
	return out, checks
}

// roleChecks checks the leaf's extended and plain key usage for its role.
func roleChecks(leaf *certinfo.Info, role diagnose.Side) []Check {
	var out []Check
	if leaf.ParseError != "" {
		out = append(out, Check{Code: CheckUnparsable, Severity: SeverityError,
			Sentence: fmt.Sprintf("%s serial %s is refused by strict X.509 parsers (%s), as many TLS stacks are.", certName(leaf), leaf.Serial, leaf.ParseError)})
	}
	if len(leaf.ExtKeyUsage) > 0 && !slices.Contains(leaf.ExtKeyUsage, "anyExtendedKeyUsage") {
		if role == diagnose.Client && !slices.Contains(leaf.ExtKeyUsage, "clientAuth") {
			out = append(out, Check{Code: CheckMissingClientAuth, Severity: SeverityError,
				Sentence: fmt.Sprintf("%s serial %s was sent as a client certificate but its extended key usage (%s) lacks clientAuth: a CA-signed CallManager certificate without TLS Web Client Authentication breaks outbound trunk calls; have the CA sign it with both TLS Web Server and Client Authentication.", certName(leaf), leaf.Serial, strings.Join(leaf.ExtKeyUsage, ", "))})
		}
		if role == diagnose.Server && !slices.Contains(leaf.ExtKeyUsage, "serverAuth") {
			out = append(out, Check{Code: CheckMissingServerAuth, Severity: SeverityError,
				Sentence: fmt.Sprintf("%s serial %s was sent as a server certificate but its extended key usage (%s) lacks serverAuth (TLS Web Server Authentication), so clients reject it.", certName(leaf), leaf.Serial, strings.Join(leaf.ExtKeyUsage, ", "))})
		}
	}
	if len(leaf.KeyUsage) > 0 {
		ds := slices.Contains(leaf.KeyUsage, "digitalSignature")
		ke := slices.Contains(leaf.KeyUsage, "keyEncipherment")
		var need string
		switch {
		case leaf.KeyType == "RSA" && role == diagnose.Server && !ds && !ke:
			need = "digitalSignature or keyEncipherment"
		case (leaf.KeyType != "RSA" || role == diagnose.Client) && !ds:
			need = "digitalSignature"
		}
		if need != "" {
			out = append(out, Check{Code: CheckKeyUsage, Severity: SeverityError,
				Sentence: fmt.Sprintf("%s serial %s has key usage %s, without %s, which a TLS %s certificate needs.", certName(leaf), leaf.Serial, strings.Join(leaf.KeyUsage, ", "), need, role)})
		}
	}
	return out
}

// weakChecks flags RSA keys under 2048 bits and SHA-1 or MD5 signatures in
// the presented chain.
func weakChecks(chain []*certinfo.Info) []Check {
	var out []Check
	for _, c := range chain {
		if c.KeyType == "RSA" && c.KeyBits > 0 && c.KeyBits < 2048 {
			out = append(out, Check{Code: CheckWeakRSAKey, Severity: SeverityWarning,
				Sentence: fmt.Sprintf("%s serial %s has a %d-bit RSA key; current CUCM and CUBE releases and most peers require at least 2048 bits.", certName(c), c.Serial, c.KeyBits)})
		}
		sa := strings.ToUpper(c.SignatureAlgorithm)
		if strings.Contains(sa, "SHA1") || strings.Contains(sa, "MD5") || strings.Contains(sa, "MD2") {
			out = append(out, Check{Code: CheckWeakSignature, Severity: SeverityWarning,
				Sentence: fmt.Sprintf("%s serial %s is signed with %s; TLS stacks reject SHA-1 and MD5 certificate signatures: reissue it with SHA-256.", certName(c), c.Serial, c.SignatureAlgorithm)})
		}
	}
	return out
}
