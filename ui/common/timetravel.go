package common

import "time"

// TimeTravelMsg asks the cluster pane to show the cluster as it was at a
// past epoch (selected in the events timeline), or, with Live set, to go
// back to the live view. The root broadcasts it to every pane, so the
// timeline marks the epoch shown too.
type TimeTravelMsg struct {
	Epoch uint64
	// At is when that view was received: epochs repeat after the cluster
	// was replaced. Zero matches the newest view of Epoch.
	At   time.Time
	Live bool
}

// HistoryMsg reports the size of the cluster pane's view history (what time
// travel can show), for the stats pane.
type HistoryMsg struct {
	Epochs, Dropped int
	Bytes           int64
}
