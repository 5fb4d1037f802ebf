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
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// String returns "client->server" or "server->client".
func (d Dir) String() string {
	switch d {
	case ClientToServer:
		return "client->server"
	case ServerToClient:
		return "server->client"
	}
	return "Dir(" + strconv.Itoa(int(d)) + ")"
}

// String names how the roles were decided.
func (r RoleSource) String() string {
	switch r {
	case RoleFromSYN:
		return "from SYN"
	case RoleFromPort:
		return "from port"
	case RoleGuessed:
		return "guessed"
	}
	return "RoleSource(" + strconv.Itoa(int(r)) + ")"
}
