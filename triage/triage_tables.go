package triage

import (
	"crypto/sha256"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/diagnose"
)

// invCert is what a Merger keeps of a distinct certificate: the fields the
// inventory shows, as a certinfo.Info without the rest of the parsed
// certificate or its DER, each string at most maxInvString bytes, so that
// MaxCertificates certificates with huge names stay small. Certificates are
// grouped by subject with subjectKey, a hash of the whole subject.
type invCert struct {
	info       certinfo.Info
	subjectKey [sha256.Size]byte
}

// maxInvString caps each string an invCert keeps.
const maxInvString = 1024

func newInvCert(i *certinfo.Info) invCert {
	c := invCert{info: certinfo.Info{SHA256: clip(i.SHA256), Serial: clip(i.Serial), Subject: clip(i.Subject), Issuer: clip(i.Issuer),
		SubjectCN: clip(i.SubjectCN), ParseError: clip(i.ParseError), NotBefore: i.NotBefore, NotAfter: i.NotAfter}}
	if i.Subject != "" {
		c.subjectKey = sha256.Sum256([]byte(i.Subject))
	}
	return c
}

// clip returns a copy of s (not holding the certificate's memory) of at
// most maxInvString bytes, cut at a rune boundary and ended with "…".
func clip(s string) string {
	if len(s) <= maxInvString {
		return strings.Clone(s)
	}
	cut := maxInvString - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…" // a new string
}

type pairKey struct {
	c netip.Addr
	s netip.AddrPort
}

// presKey is an endpoint presenting a certificate: a server's ip:port or a
// client's address (port 0).
type presKey struct {
	endpoint netip.AddrPort
	side     diagnose.Side
	index    int
}

// destAgg is one destination being counted.
type destAgg struct {
	d     TriageDestination
	certs map[int32]*PresentedCert // at most MaxListed
}

// certAgg is one certificate of the inventory being counted.
type certAgg struct {
	conns       int
	first, last time.Time
	pres        map[presKey]int // at most MaxListed
	presMore    int
}

// tables are triage's aggregates (the summary, destinations, pairs and the
// certificate inventory), folded in one distinct connection at a time. The
// caps of TriageOptions bound their size, whatever the connections.
type tables struct {
	opts    *TriageOptions
	strs    *strTable
	summary Summary
	dests   map[netip.AddrPort]*destAgg
	pairs   map[pairKey]*pairAgg
	certs   map[int32]*certAgg
	// actions counts the connections of each remedy.
	actions actionCounts
	// destsOmitted and pairsOmitted count the connections beyond the caps.
	destsOmitted, pairsOmitted int
}

func newTables(o *TriageOptions, strs *strTable) *tables {
	return &tables{opts: o, strs: strs, summary: newSummary(), dests: map[netip.AddrPort]*destAgg{}, pairs: map[pairKey]*pairAgg{}, certs: map[int32]*certAgg{}, actions: actionCounts{}}
}

// pairAgg counts a pair's connections by outcome in a few bytes (a pair has
// one or two outcomes as a rule); finish turns them into Counts, whose maps
// would cost about 1.5 KiB per pair.
type pairAgg struct {
	outcomes []pairOutcome
}

// pairOutcome counts the connections of one verdict, reason and alert.
type pairOutcome struct {
	verdict, reason, alert uint16
	alertBy                diagnose.Side
	n, syns                int
	first, last            time.Time
}

func (p *pairAgg) add(s *connSum, start time.Time) {
	for i := range p.outcomes {
		o := &p.outcomes[i]
		if o.verdict == s.verdict && o.reason == s.reason && o.alert == s.alert && o.alertBy == s.alertBy {
			o.n++
			o.syns += int(s.clientPackets)
			if start.Before(o.first) {
				o.first = start
			}
			if start.After(o.last) {
				o.last = start
			}
			return
		}
	}
	p.outcomes = append(p.outcomes, pairOutcome{verdict: s.verdict, reason: s.reason, alert: s.alert, alertBy: s.alertBy,
		n: 1, syns: int(s.clientPackets), first: start, last: start})
}

// counts replays the outcomes into Counts as if each connection were
// counted, with the same first and last failure.
func (p *pairAgg) counts(strs *strTable) Counts {
	var c Counts
	for _, po := range p.outcomes {
		s := connSum{verdict: po.verdict, reason: po.reason, alert: po.alert, alertBy: po.alertBy}
		o := s.outcome(strs)
		for i := range po.n {
			o.start, o.syns = po.last, 0
			switch i {
			case 0:
				o.start, o.syns = po.first, po.syns
			}
			c.count(o)
		}
	}
	return c
}

// fold counts one distinct connection.
func (tb *tables) fold(sum *connSum, certs []invCert) {
	o := sum.outcome(tb.strs)
	tb.summary.count(o.verdict, o.reason)
	tb.actions.count(sum.action, ActionEvidence{Capture: int(sum.capture), Connection: sum.id, Frame: sum.startFrame + uint64(sum.actionFrame)})
	client, server, start := sum.client.addrPort(), sum.server.addrPort(), o.start
	da := tb.dests[server]
	if da == nil && len(tb.dests) < tb.opts.MaxDestinations {
		da = &destAgg{d: TriageDestination{Server: server.String(), Names: []string{}, Certificates: []PresentedCert{}}, certs: map[int32]*PresentedCert{}}
		tb.dests[server] = da
	}
	if da != nil {
		da.d.count(o)
	} else {
		tb.destsOmitted++
	}
	pk := pairKey{client.Addr(), server}
	p := tb.pairs[pk]
	if p == nil && len(tb.pairs) < tb.opts.MaxPairs {
		p = &pairAgg{}
		tb.pairs[pk] = p
	}
	if p != nil {
		p.add(sum, start)
	} else {
		tb.pairsOmitted++
	}
	all, n := sum.refs()
	refs := all[:n]
	for ri, r := range refs {
		endpoint := netip.AddrPortFrom(client.Addr(), 0)
		if r.side == diagnose.Server {
			endpoint = server
		}
		ca := tb.certs[r.cert]
		if ca == nil {
			ca = &certAgg{pres: map[presKey]int{}}
			tb.certs[r.cert] = ca
		}
		if pk := (presKey{endpoint, r.side, int(r.index)}); ca.pres[pk] > 0 || len(ca.pres) < tb.opts.MaxListed {
			ca.pres[pk]++
		} else {
			ca.presMore++
		}
		if !seenBefore(refs[:ri], r.cert) {
			if ca.conns == 0 || start.Before(ca.first) {
				ca.first = start
			}
			if ca.conns == 0 || start.After(ca.last) {
				ca.last = start
			}
			ca.conns++
		}
		if r.side != diagnose.Server || r.index != 0 || da == nil {
			continue
		}
		pc := da.certs[r.cert]
		if pc == nil && len(da.certs) >= tb.opts.MaxListed {
			da.d.CertificatesMore++
			continue
		}
		if pc == nil {
			info := &certs[r.cert].info
			pc = &PresentedCert{SHA256: info.SHA256, Serial: info.Serial, CommonName: info.SubjectCN, FirstSeen: Time{start}, LastSeen: Time{start}}
			da.certs[r.cert] = pc
		}
		pc.Connections++
		switch o.verdict {
		case diagnose.VerdictOK:
			pc.OK++
		case diagnose.VerdictFailed:
			pc.Failed++
		}
		if start.Before(pc.FirstSeen.Time) {
			pc.FirstSeen = Time{start}
		}
		if start.After(pc.LastSeen.Time) {
			pc.LastSeen = Time{start}
		}
	}
}

// clone returns a deep copy, so that Triage can fold the matched
// connections into it and leave the Merger's tables as they were.
func (tb *tables) clone() *tables {
	c := &tables{opts: tb.opts, strs: tb.strs, destsOmitted: tb.destsOmitted, pairsOmitted: tb.pairsOmitted, summary: tb.summary.clone(), dests: make(map[netip.AddrPort]*destAgg, len(tb.dests)),
		pairs: make(map[pairKey]*pairAgg, len(tb.pairs)), certs: make(map[int32]*certAgg, len(tb.certs)), actions: tb.actions.clone()}
	for k, da := range tb.dests {
		n := &destAgg{d: da.d, certs: make(map[int32]*PresentedCert, len(da.certs))}
		n.d.Counts = da.d.Counts.clone()
		for ck, pc := range da.certs {
			v := *pc
			n.certs[ck] = &v
		}
		c.dests[k] = n
	}
	for k, p := range tb.pairs {
		c.pairs[k] = &pairAgg{outcomes: slices.Clone(p.outcomes)}
	}
	for k, ca := range tb.certs {
		v := *ca
		v.pres = maps.Clone(ca.pres)
		c.certs[k] = &v
	}
	return c
}

func (s Summary) clone() Summary {
	s.Verdicts = maps.Clone(s.Verdicts)
	s.VerdictReasons = cloneNested(s.VerdictReasons)
	return s
}

func (c Counts) clone() Counts {
	c.Verdicts, c.Reasons, c.Alerts = maps.Clone(c.Verdicts), maps.Clone(c.Reasons), maps.Clone(c.Alerts)
	c.failedAlerts, c.undecidedAlerts = maps.Clone(c.failedAlerts), maps.Clone(c.undecidedAlerts)
	c.VerdictReasons = cloneNested(c.VerdictReasons)
	return c
}

func cloneNested(m VerdictReasons) VerdictReasons {
	if m == nil {
		return nil
	}
	out := make(VerdictReasons, len(m))
	for k, v := range m {
		out[k] = maps.Clone(v)
	}
	return out
}

// finish writes the tables into t: destinations, pairs, certificates and
// the summary.
func (tb *tables) finish(t *Triage, certs []invCert, trust map[int32][]InventoryTrust) {
	t.Summary = tb.summary
	names := tb.finishDestinations(t)
	tb.finishPairs(t, names)
	tb.finishCertificates(t, certs, trust)
}

// finishDestinations makes t.Destinations, sorted by address, and returns
// each destination's names for its pairs.
func (tb *tables) finishDestinations(t *Triage) map[netip.AddrPort][]string {
	keys := make([]netip.AddrPort, 0, len(tb.dests))
	for k := range tb.dests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Compare(keys[j]) < 0 })
	clients := map[netip.AddrPort][]netip.Addr{}
	for k := range tb.pairs {
		clients[k.s] = append(clients[k.s], k.c)
	}
	names := map[netip.AddrPort][]string{}
	for _, k := range keys {
		da := tb.dests[k]
		d := da.d
		for _, pc := range da.certs {
			d.Certificates = append(d.Certificates, *pc)
		}
		sort.Slice(d.Certificates, func(i, j int) bool {
			a, b := d.Certificates[i], d.Certificates[j]
			if !a.FirstSeen.Equal(b.FirstSeen.Time) {
				return a.FirstSeen.Before(b.FirstSeen.Time)
			}
			return a.SHA256 < b.SHA256
		})
		seenName := map[string]bool{}
		for _, pc := range d.Certificates {
			if pc.CommonName != "" && !seenName[pc.CommonName] {
				seenName[pc.CommonName] = true
				d.Names = append(d.Names, pc.CommonName)
			}
		}
		names[k] = d.Names
		d.CertificateChanged = len(d.Certificates) > 1 || d.CertificatesMore > 0
		d.Clients = []string{}
		cl := clients[k]
		sort.Slice(cl, func(i, j int) bool { return cl[i].Less(cl[j]) })
		listed := min(len(cl), tb.opts.MaxListed)
		for _, a := range cl[:listed] {
			d.Clients = append(d.Clients, a.String())
		}
		d.ClientsMore = len(cl) - listed
		t.Destinations = append(t.Destinations, d)
	}
	return names
}

// finishPairs makes t.Pairs, sorted by client then server.
func (tb *tables) finishPairs(t *Triage, names map[netip.AddrPort][]string) {
	pkeys := make([]pairKey, 0, len(tb.pairs))
	for k := range tb.pairs {
		pkeys = append(pkeys, k)
	}
	sort.Slice(pkeys, func(i, j int) bool {
		if c := pkeys[i].c.Compare(pkeys[j].c); c != 0 {
			return c < 0
		}
		return pkeys[i].s.Compare(pkeys[j].s) < 0
	})
	for _, k := range pkeys {
		p := Pair{Client: k.c.String(), Server: k.s.String(), Counts: tb.pairs[k].counts(tb.strs)}
		p.Names = names[k.s]
		t.Pairs = append(t.Pairs, p)
	}
}

// finishCertificates makes the certificate inventory, by SHA-256.
func (tb *tables) finishCertificates(t *Triage, certs []invCert, trust map[int32][]InventoryTrust) {
	certIdx := make([]int32, 0, len(tb.certs))
	for idx := range tb.certs {
		certIdx = append(certIdx, idx)
	}
	sort.Slice(certIdx, func(i, j int) bool { return certs[certIdx[i]].info.SHA256 < certs[certIdx[j]].info.SHA256 })
	subjects := map[[sha256.Size]byte][]string{}
	for _, idx := range certIdx {
		i := &certs[idx]
		subjects[i.subjectKey] = append(subjects[i.subjectKey], i.info.SHA256)
	}
	for _, idx := range certIdx {
		i, ca := &certs[idx], tb.certs[idx]
		c := InventoryCert{SHA256: i.info.SHA256, CertSummary: NewCertView(&i.info, ca.first).Summary(), FirstSeen: Time{ca.first}, LastSeen: Time{ca.last},
			Connections: ca.conns, PresentedBy: []Presenter{}, PresentedByMore: ca.presMore, SameSubject: []string{}, ParseError: i.info.ParseError,
			Trust: append([]InventoryTrust{}, trust[idx]...)}
		if same := subjects[i.subjectKey]; i.info.Subject != "" && len(same) > 1 {
			// At most MaxListed others, never every other one: a capture
			// may hold thousands of certificates with one subject.
			for _, other := range same {
				if len(c.SameSubject) == tb.opts.MaxListed {
					break
				}
				if other != i.info.SHA256 {
					c.SameSubject = append(c.SameSubject, other)
				}
			}
			c.SameSubjectMore = len(same) - 1 - len(c.SameSubject)
		}
		for k, n := range ca.pres {
			ep := k.endpoint.String()
			if k.side != diagnose.Server {
				ep = k.endpoint.Addr().String()
			}
			c.PresentedBy = append(c.PresentedBy, Presenter{Endpoint: ep, As: k.side.String(), Index: k.index, Connections: n})
		}
		sort.Slice(c.PresentedBy, func(a, b int) bool {
			x, y := c.PresentedBy[a], c.PresentedBy[b]
			if x.As != y.As {
				return x.As > y.As // server first
			}
			if x.Endpoint != y.Endpoint {
				return x.Endpoint < y.Endpoint
			}
			return x.Index < y.Index
		})
		t.Certificates = append(t.Certificates, c)
	}
}
