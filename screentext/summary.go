package screentext

import (
	"net/netip"
	"sort"
)

// Counts are what happened to a set of connections.
type Counts struct {
	Connections int `json:"connections"`
	// Attempts are the connections that started in the text (SYN or SYN-ACK seen).
	Attempts int `json:"attempts"`
	// Answered: the server sent a SYN-ACK (verdict established).
	Answered int `json:"answered"`
	Refused  int `json:"refused"`
	NoAnswer int `json:"no_answer"`
	// Reset, Closed, Open split Answered by how it ended.
	Reset  int `json:"reset"`
	Closed int `json:"closed"`
	Open   int `json:"open"`
	// ResetByServer counts the resets the server sent.
	ResetByServer int `json:"reset_by_server"`
	// ServerEndedSoon counts the answered connections the server ended
	// (FIN or RST) within PromptClose of its SYN-ACK.
	ServerEndedSoon int `json:"server_ended_soon"`
	// Incomplete: the text cannot tell (midstream, or it ends right after a SYN).
	Incomplete int `json:"incomplete"`
	// SYNsUnanswered counts the SYNs of the no_answer connections.
	SYNsUnanswered int `json:"syns_unanswered"`
}

func (n *Counts) add(c *Connection) {
	n.Connections++
	if c.Attempt() {
		n.Attempts++
	}
	switch c.Verdict {
	case VerdictEstablished:
		n.Answered++
		if c.ServerEndedSoon() {
			n.ServerEndedSoon++
		}
		switch c.Reason {
		case ReasonReset:
			n.Reset++
			if c.EndedBy == Server {
				n.ResetByServer++
			}
		case ReasonClosed:
			n.Closed++
		default:
			n.Open++
		}
	case VerdictRefused:
		n.Refused++
	case VerdictNoAnswer:
		n.NoAnswer++
		n.SYNsUnanswered += c.SYNs
	default:
		n.Incomplete++
	}
}

// Failed is the number of attempts that got no TCP answer: refused and no_answer.
func (n Counts) Failed() int { return n.Refused + n.NoAnswer }

// ClientCounts are the counts of one client host towards a destination.
type ClientCounts struct {
	Client string `json:"client"` // host, as first printed
	Counts
}

// Destination is a server host:port and what happened to the connections to it.
type Destination struct {
	Server Endpoint
	Counts
	Clients []ClientCounts // by host, in order of first connection
}

// Share is one destination within a client's spread.
type Share struct {
	Server Endpoint
	Counts
	// First is the first line of a connection to it.
	First int
}

// Spread is how one client host spread its connections over destinations:
// the load balancing of a SIP trunk.
type Spread struct {
	Client string
	// Attempts are the client's connections that started in the text, in
	// order; Destinations the distinct servers of all its connections, in
	// order of first connection.
	Attempts     int
	Destinations []Share
	// InTurn: at least two destinations, more attempts than destinations,
	// and the attempts visit the destinations in one repeated order
	// (round robin).
	InTurn bool
	// Order is the server of each attempt, in order (the first MaxOrder).
	Order []Endpoint
}

// MaxOrder is the number of attempts Spread.Order keeps.
const MaxOrder = 30

// Failed is the number of the client's attempts that got no TCP answer.
func (s Spread) Failed() int {
	n := 0
	for _, d := range s.Destinations {
		n += d.Failed()
	}
	return n
}

// Summary counts over all connections.
type Summary struct {
	Counts
	// Verdicts and VerdictReasons count per verdict word, and per reason
	// within each verdict.
	Verdicts       map[Verdict]int            `json:"verdicts"`
	VerdictReasons map[Verdict]map[Reason]int `json:"verdict_reasons"`
	Problems       int                        `json:"problems"`
}

// Analysis is the result over one or more texts.
type Analysis struct {
	Texts        []*Text
	Errors       []error // one per text that could not be used, in order
	Destinations []Destination
	Spreads      []Spread
	Summary      Summary
}

// Analyze sums up the texts: destinations, spreads and counts. errs are
// the errors of the texts that could not be used.
func Analyze(texts []*Text, errs []error) *Analysis {
	a := &Analysis{Texts: texts, Errors: errs}
	a.Summary.Verdicts = map[Verdict]int{}
	a.Summary.VerdictReasons = map[Verdict]map[Reason]int{}
	dests := map[Endpoint]*Destination{}
	var dorder []Endpoint
	spreads := map[string]*Spread{}
	var sorder []string
	for _, t := range texts {
		for _, c := range t.Connections {
			a.Summary.add(c)
			a.Summary.Verdicts[c.Verdict]++
			if a.Summary.VerdictReasons[c.Verdict] == nil {
				a.Summary.VerdictReasons[c.Verdict] = map[Reason]int{}
			}
			a.Summary.VerdictReasons[c.Verdict][c.Reason]++
			if c.Problem() {
				a.Summary.Problems++
			}
			sk := c.Server.key()
			d := dests[sk]
			if d == nil {
				d = &Destination{Server: c.Server}
				dests[sk] = d
				dorder = append(dorder, sk)
			}
			d.add(c)
			d.client(c.Client.Host).add(c)

			ck := hostKey(c.Client.Host)
			s := spreads[ck]
			if s == nil {
				s = &Spread{Client: c.Client.Host}
				spreads[ck] = s
				sorder = append(sorder, ck)
			}
			s.add(c)
		}
	}
	sort.SliceStable(dorder, func(i, j int) bool { return lessEndpoint(dorder[i], dorder[j]) })
	for _, k := range dorder {
		a.Destinations = append(a.Destinations, *dests[k])
	}
	for _, k := range sorder {
		s := spreads[k]
		s.InTurn = inTurn(s)
		a.Spreads = append(a.Spreads, *s)
	}
	return a
}

func (d *Destination) client(host string) *Counts {
	for i := range d.Clients {
		if hostKey(d.Clients[i].Client) == hostKey(host) {
			return &d.Clients[i].Counts
		}
	}
	d.Clients = append(d.Clients, ClientCounts{Client: host})
	return &d.Clients[len(d.Clients)-1].Counts
}

func (s *Spread) add(c *Connection) {
	i := 0
	for i < len(s.Destinations) && s.Destinations[i].Server.key() != c.Server.key() {
		i++
	}
	if i == len(s.Destinations) {
		s.Destinations = append(s.Destinations, Share{Server: c.Server, First: c.First.Line})
	}
	s.Destinations[i].add(c)
	if c.Attempt() {
		s.Attempts++
		if len(s.Order) < MaxOrder {
			s.Order = append(s.Order, c.Server)
		}
	}
}

// inTurn reports whether the attempts (as far as Order keeps them) visit
// at least two destinations in one repeated order.
func inTurn(s *Spread) bool {
	seen := map[Endpoint]bool{}
	k := 0
	for _, e := range s.Order {
		if seen[e.key()] {
			break
		}
		seen[e.key()] = true
		k++
	}
	if k < 2 || len(s.Order) <= k {
		return false
	}
	for i := k; i < len(s.Order); i++ {
		if s.Order[i].key() != s.Order[i-k].key() {
			return false
		}
	}
	return true
}

// lessEndpoint orders endpoints by host (addresses numerically when both
// are addresses), then port.
func lessEndpoint(a, b Endpoint) bool {
	aa, errA := netip.ParseAddr(a.Host)
	ba, errB := netip.ParseAddr(b.Host)
	switch {
	case errA == nil && errB == nil && aa != ba:
		return aa.Less(ba)
	case errA == nil && errB != nil:
		return true
	case errA != nil && errB == nil:
		return false
	case a.Host != b.Host:
		return a.Host < b.Host
	}
	return a.Port < b.Port
}
