package ops

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/norikv/norikv-console/client"
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

// newIdempotencyKey makes the key a console write carries, so the audit
// file can name it (the client would otherwise pick one it does not show).
func newIdempotencyKey() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "" // the client then generates one; the record says none
	}
	return "console-" + hex.EncodeToString(b)
}

// FormatVersion writes a version as the audit file and status line do.
func FormatVersion(v client.Version) string { return fmt.Sprintf("%d/%d", v.Term, v.Index) }
