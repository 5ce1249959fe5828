package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/norikv/norikv-console/server/internal/timerslack"
)

// defaultTimerSlack is serve's and devcluster's --timer-slack: with it a
// node at one client's Puts used 25-35% less CPU per Put and its p99 fell
// from 7-10 ms to 4-7 ms on the benchmark VM (BENCHMARKS.md; 1 ms and 2 ms
// did less). See server/internal/timerslack for why.
const defaultTimerSlack = 4 * time.Millisecond

func addTimerSlackFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("timer-slack", defaultTimerSlack,
		"Linux: how late the kernel may end this process's timed sleeps, so that it folds wake-ups together "+
			"(fewer context switches per request; applied by executing the process again at start); 0 leaves the system's (usually 50us)")
}

// process is a command running as its own process: argv executes it
// again (os.Args). A nil *process is a command run inside another program
// (tests), which leaves process-wide settings alone.
type process struct{ argv []string }

// ownProcess is the process running this binary's command line.
func ownProcess() *process { return &process{argv: os.Args} }

// applyTimerSlack checks --timer-slack and gives the process that slack,
// which executes it again (and so returns only when that fails). A bad
// value is a usage error (false); a slack the system refuses is said and
// the command runs on without it.
func (p *process) applyTimerSlack(cmd string, d time.Duration, stderr io.Writer) bool {
	if err := timerslack.Check(d); err != nil {
		fmt.Fprintf(stderr, "%s: --timer-slack: %v\n", cmd, err)
		return false
	}
	if p == nil {
		return true
	}
	if err := timerslack.Apply(d, p.argv); err != nil {
		fmt.Fprintf(stderr, "%s: %v; running with the system's timer slack\n", cmd, err)
	}
	return true
}
