package common

import "strings"

// NotCurrentText says in a user's words why the cluster view may be out of
// date, from client.TopologyStats.ViewNotCurrent ("ADDR: n1 cannot follow
// the cluster: it has not heard from the metadata group's leader since it
// started 6.0 s ago, so its view of the cluster is not kept current: watch
// another node"): the node's reason first, its address after, without the
// advice meant for clients. "" for "".
//
// A node whose view is not kept current (cut off from the metadata
// group's leader, or no leader elected yet: most of the nodes down or
// just restarted; a full disk) gives its view once and ends the watch
// stream; the client keeps the newest view it has and asks again.
// Nothing said so to the user: the console showed that view as the
// cluster's and `status` printed its epoch (0 from a node restarted alone,
// before it replayed its metadata) without a word.
func NotCurrentText(nc string) string {
	if nc == "" {
		return ""
	}
	addr, why, ok := strings.Cut(nc, ": ")
	if !ok {
		addr, why = "", nc
	}
	why = strings.TrimSuffix(why, ": watch another node")
	if addr != "" {
		why += " (" + addr + ")"
	}
	return why + "; no node answering sends a current view"
}
