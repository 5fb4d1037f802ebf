package pcap

import "strconv"

var eventNames = [...]string{
	EventSYN:            "SYN",
	EventSYNRetransmit:  "SYN retransmission",
	EventSYNACK:         "SYN-ACK",
	EventHandshakeACK:   "handshake ACK",
	EventMidstream:      "midstream",
	EventFIN:            "FIN",
	EventRST:            "RST",
	EventRetransmission: "retransmission",
	EventOutOfOrder:     "out of order",
	EventOverlap:        "overlap",
	EventGap:            "gap",
	EventCut:            "cut by snaplen",
	EventCapHit:         "buffer cap",
	EventResync:         "resync",
}

// String returns a short lower-case name of the event kind.
func (k EventKind) String() string { return nameOf(eventNames[:], k, "EventKind") }

var dirNames = [...]string{
	ClientToServer: "client->server",
	ServerToClient: "server->client",
}

// String returns "client->server" or "server->client".
func (d Dir) String() string { return nameOf(dirNames[:], d, "Dir") }

var roleSourceNames = [...]string{
	RoleFromSYN:  "from SYN",
	RoleFromPort: "from port",
	RoleGuessed:  "guessed",
}

// String names how the roles were decided.
func (r RoleSource) String() string { return nameOf(roleSourceNames[:], r, "RoleSource") }

// nameOf is the name of v in names, or typ(v), such as "Dir(7)", when
// names has none.
func nameOf[T ~uint8](names []string, v T, typ string) string {
	if int(v) < len(names) && names[v] != "" {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}
