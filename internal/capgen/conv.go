package capgen

import (
	"net/netip"
	"time"
)

// StepKind is what one step of a scripted TCP conversation does.
type StepKind uint8

const (
	// Data sends Bytes from the step's side, cut into MSS-sized segments.
	Data StepKind = iota
	// SYN is the client's SYN (repeat it for retransmissions).
	SYN
	// SYNACK is the server's SYN+ACK.
	SYNACK
	// ACK is a bare ACK from the step's side (the third packet of the handshake, or any pure ACK).
	ACK
	// FIN closes the step's side.
	FIN
	// RST resets the connection from the step's side.
	RST
)

// Side is which end of the conversation acts.
type Side uint8

const (
	// Client is the end that opened the connection.
	Client Side = iota
	// Server is the listening end.
	Server
)

// Step is one action in a conversation. At is the time since the conversation's start.
type Step struct {
	At    time.Duration
	Side  Side
	Kind  StepKind
	Bytes []byte // payload for Data
}

// Conversation is one scripted TCP connection: real TLS bytes from a real stack,
// recorded in the order and at the times each side wrote them.
type Conversation struct {
	Client, Server netip.AddrPort
	Start          time.Time
	ClientISN      uint32
	ServerISN      uint32
	Steps          []Step
}
