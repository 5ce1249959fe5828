package ops

import (
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
)

// WriteResult is the outcome of a write with what the audit file records
// about it beyond the status line's text: the key or node, the versions
// and the idempotency key. The root logs it like an OpResultMsg and
// appends Audit (completed with the time, result and latency) to the audit
// file.
type WriteResult struct {
	common.OpResultMsg
	Audit journal.Record
}
