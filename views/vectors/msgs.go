package vectors

import (
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// listMsg answers a ListVectorIndexes call, stamped with its request id.
type listMsg struct {
	reqID   int
	at      time.Time
	indexes []client.VectorIndexInfo
	err     error
}

// searchRequest is everything one search needs, captured in Update so the
// command reads no model state.
type searchRequest struct {
	namespace   string
	query       []float32 // nil when byID is set
	byID        string    // search with the stored vector of this id
	desc        string    // how the query was made, for the results title
	k           int
	ef          int // 0 = the index default
	consistency client.ConsistencyLevel
	vectors     bool
	exact       bool // ask for an exact scan (x-norikv-exact)
	// recallRef, for a recall check, names the namespace searched for the
	// reference answer ("" = the same namespace).
	recallRef string
}

// searchMsg is one finished search: the user's, or the pair of a recall check.
type searchMsg struct {
	reqID int
	req   searchRequest
	kind  searchKind
	at    time.Time
	query []float32 // the vector searched with (resolved for by-id)
	res   *client.VectorSearchResult
	rtt   time.Duration
	// stalled: the search ran across a stop of the console (SIGSTOP,
	// Ctrl-Z, a paused VM; client.RanAcrossStall): rtt measures the stop,
	// so it is no latency sample.
	stalled bool
	err     error
	// recall is set for a recall check or a sweep once both searches answered.
	recall *recallResult
	// sweep is set for an ef sweep: recall and latency per ef.
	sweep []sweepPoint
}

// sweepPoint is the query's recall and latency at one ef.
type sweepPoint struct {
	ef      int
	hit, of int
	server  time.Duration
	rtt     time.Duration
}

// recallResult compares the user's search with a reference search.
type recallResult struct {
	ref       string // namespace of the reference search
	exact     bool   // the server confirmed an exact scan
	refEf     int    // ef asked of the reference, in case the server ignored exact
	hit, of   int
	refTime   time.Duration // reference round trip
	refServer time.Duration // reference search time on the server
	refMatch  []client.VectorMatch
}

// opDoneMsg reports a finished write (insert, delete, create, drop); the pane
// passes the result to the status line and refreshes the index list.
type opDoneMsg struct {
	res common.OpResultMsg
	// selectNS, when set, is the namespace to select (a created index).
	selectNS string
	// dropped, when set, is a namespace that no longer exists.
	dropped string
}
