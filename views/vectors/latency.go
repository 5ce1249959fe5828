package vectors

import (
	"math"
	"slices"
	"strings"
	"time"
)

// HistoryLen is how many searches the latency history keeps per namespace.
const HistoryLen = 60

// sample is one search's latency: the client's round trip and the server's
// own search time.
type sample struct {
	rtt    time.Duration
	server time.Duration
}

// history is a bounded list of samples, oldest first.
type history struct{ samples []sample }

func (h *history) add(s sample) {
	if len(h.samples) == HistoryLen {
		copy(h.samples, h.samples[1:])
		h.samples = h.samples[:HistoryLen-1]
	}
	h.samples = append(h.samples, s)
}

func (h *history) len() int {
	if h == nil {
		return 0
	}
	return len(h.samples)
}

// series returns one latency of every sample in milliseconds.
func (h *history) series(pick func(sample) time.Duration) []float64 {
	out := make([]float64, len(h.samples))
	for i, s := range h.samples {
		out[i] = float64(pick(s)) / float64(time.Millisecond)
	}
	return out
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of one
// latency over the samples, 0 when there are none.
func (h *history) percentile(p float64, pick func(sample) time.Duration) time.Duration {
	if h.len() == 0 {
		return 0
	}
	v := make([]time.Duration, len(h.samples))
	for i, s := range h.samples {
		v[i] = pick(s)
	}
	slices.Sort(v)
	rank := int(math.Ceil(p / 100 * float64(len(v))))
	return v[max(0, min(len(v)-1, rank-1))]
}

func pickRTT(s sample) time.Duration    { return s.rtt }
func pickServer(s sample) time.Duration { return s.server }

// sparkBlocks are the eight heights of a unicode sparkline.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as one line of block characters scaled from 0 to
// the largest value, keeping the last width values.
func Sparkline(values []float64, width int) string {
	if width <= 0 || len(values) == 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		i := 0
		if top > 0 {
			i = int(math.Round(v / top * float64(len(sparkBlocks)-1)))
		}
		b.WriteRune(sparkBlocks[max(0, min(len(sparkBlocks)-1, i))])
	}
	return b.String()
}
