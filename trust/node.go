package trust

import (
	"github.com/siptls/siptls/diagnose"
)

// NodeVotes says which end of c is the peer (not the capture node)
// according to the capture node's trust folder and the expected names, for
// diagnose.NodeFinder:
//
//   - trust_folder: both ends presented a chain, and the capture node's
//     folder (--trust) holds, anchors or has an older copy of one end's
//     (exact_match, chains_to, stale_copy) while the other end's is
//     untrusted. A CallManager-trust folder holds the certificates of the
//     node's peers, so the end it knows is the peer. (A folder that also
//     holds the node's own certificate knows both ends and says nothing;
//     one that holds the node's own and not the peer's names the wrong
//     end, which is why NodeFinder weighs this signal last.)
//   - expect_name: both ends presented a chain, and one end's leaf matches
//     its expected names (--expect-name for its address, else for every
//     peer) while the other end's does not: the X.509 Subject Name of a SIP
//     Trunk Security Profile names the peer.
//
// It returns nothing when neither applies.
func (j *Judge) NodeVotes(c *diagnose.Connection) []diagnose.NodeVote {
	var votes []diagnose.NodeVote
	chains, at, lost := presented(c)
	sides := []diagnose.Side{diagnose.Client, diagnose.Server}
	if s := j.captureStore(); s != nil && len(chains[diagnose.Client]) > 0 && len(chains[diagnose.Server]) > 0 {
		var js [2]*Judgement
		for _, side := range sides {
			js[side] = s.JudgeWith(chains[side], JudgeOptions{At: at[side], Today: j.today, Role: side})
		}
		for _, side := range sides {
			// A chain the capture lost part of may be trusted after all.
			mine, other := js[side], js[side.Peer()]
			if _, partial := lost[side.Peer()]; knows(mine.Status) && other.Status == StatusUntrusted && !partial {
				votes = append(votes, diagnose.NodeVote{Signal: diagnose.SignalTrustFolder, Peer: side, Status: string(mine.Status), File: mine.File})
			}
		}
	}
	var matched [2]string
	var ok [2]bool
	for _, side := range sides {
		addr := c.Client.Addr()
		if side == diagnose.Server {
			addr = c.Server.Addr()
		}
		if names := j.namesFor(addr); len(names) > 0 && len(chains[side]) > 0 {
			matched[side], ok[side] = MatchNames(chains[side][0], names)
		}
	}
	for _, side := range sides {
		// The other end's leaf must have been seen not to match: the
		// node's own certificate may carry the same names.
		if ok[side] && !ok[side.Peer()] && len(chains[side.Peer()]) > 0 {
			votes = append(votes, diagnose.NodeVote{Signal: diagnose.SignalExpectName, Peer: side, Name: matched[side]})
		}
	}
	return votes
}

// knows reports whether a status says the folder holds the certificate, a
// CA it chains to, or an older copy of it.
func knows(s Status) bool {
	return s == StatusExactMatch || s == StatusChainsTo || s == StatusStaleCopy
}
