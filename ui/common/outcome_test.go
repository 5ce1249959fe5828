package common

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/norikv/norikv-console/client"
)

// Which failures leave a write's outcome open: refusals do not.
func TestOutcomeUnknown(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("norikv: put: DeadlineExceeded: %w", context.DeadlineExceeded), true},
		{context.Canceled, true},
		{errors.New("transport is closing"), true},
		{&client.VersionMismatchError{}, false},
		{fmt.Errorf("x: %w", client.ErrKeyNotFound), false},
		{fmt.Errorf("x: %w", client.ErrInvalidArgument), false},
		{fmt.Errorf("x: %w", client.ErrClosed), false},
	} {
		if got := OutcomeUnknown(c.err); got != c.want {
			t.Errorf("outcomeUnknown(%T) = %v, want %v", c.err, got, c.want)
		}
	}
}
