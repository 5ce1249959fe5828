package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const screenReady = ` NoriKV  embedded · epoch 5 · nodes 3/3 alive                       ● connected
 1 Cluster   2 Events   3 Stats   4 Trace   5 Keys   6 Vectors   7 TTL
NODE     ADDRESS               HEALTH       LEADS CONN  RTT
█ n1     127.0.0.1:41569       alive          384 yes   -
█ n2     127.0.0.1:38923       alive          320 yes   -
█ n3     127.0.0.1:38077       alive          320 yes   -
`

func TestFirstScreen(t *testing.T) {
	cases := []struct {
		name   string
		screen string
		want   bool
	}{
		{"full", screenReady, true},
		{"no tab bar yet", strings.Replace(screenReady, "1 Cluster", "", 1), false},
		{"a node leads nothing yet", strings.Replace(screenReady, "alive          320 yes   -\n█ n3", "alive            0 yes   -\n█ n3", 1), false},
		{"a node not alive yet", strings.Replace(screenReady, "n3     127.0.0.1:38077       alive", "n3     127.0.0.1:38077       starting", 1), false},
		{"only the stderr line", "starting an embedded 3-node cluster (1024 shards)…", false},
	}
	for _, c := range cases {
		if got := firstScreen(c.screen, 3); got != c.want {
			t.Errorf("%s: firstScreen = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSummary(t *testing.T) {
	ms := time.Millisecond
	mn, md, mx := summary([]time.Duration{5 * ms, 1 * ms, 3 * ms})
	if mn != ms || md != 3*ms || mx != 5*ms {
		t.Errorf("odd count: got %v %v %v, want 1ms 3ms 5ms", mn, md, mx)
	}
	if _, md, _ = summary([]time.Duration{4 * ms, 1 * ms, 2 * ms, 8 * ms}); md != 3*ms {
		t.Errorf("even count: median %v, want 3ms", md)
	}
}

// The console's start-up queries must get a terminal's answers, each once.
func TestAnswerQueries(t *testing.T) {
	var tty bytes.Buffer
	answerQueries(&tty, []byte("\x1b]11;?\x1b\\\x1b[6n"))
	if got, want := tty.String(), "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[1;1R"; got != want {
		t.Errorf("answers %q, want %q", got, want)
	}
	tty.Reset()
	answerQueries(&tty, []byte("frame text"))
	if tty.Len() != 0 {
		t.Errorf("answered %q to plain output", tty.String())
	}
}
