// Command startbench measures start-up time of the built binary: launch to
// the `ready` line of `devcluster`, launch to the console's first full screen
// on its embedded cluster (in a pseudo-terminal: the tab bar and every node
// alive and leading shards), launch of 3 `serve` processes to each one's
// `ready` line, and, when etcd is installed, launch to a healthy 3-member
// etcd cluster on loopback as the anchor. Targets run in turn, their
// order rotating every round so load drifts hit each the same way, and the
// summary gives min/median/max per target with the load average.
//
//	go build -o /tmp/norikv-console . && (cd bench && go run ./startbench --bin /tmp/norikv-console)
//	(cd bench && go run ./startbench --bin /tmp/norikv-console --runs 9 --targets devcluster,etcd)
//	(cd bench && go run ./startbench --bin /tmp/before,/tmp/after --targets devcluster,console)   # A/B in one run
//
// It times the binary, never `go run` (compilation is not start-up).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// target is one thing whose start-up is timed.
type target struct {
	name string
	// launch starts it and returns the time from launch to ready.
	launch func(ctx context.Context) (time.Duration, error)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("startbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bins := fs.String("bin", "", "the built norikv-console binary (go build -o FILE .); several, comma-separated, are compared in one run")
	runs := fs.Int("runs", 7, "launches per target (at least 3 for a median)")
	targets := fs.String("targets", "devcluster,console,serve,etcd", "comma-separated: devcluster, console, serve (3 processes), etcd (skipped when etcd is not installed)")
	timeout := fs.Duration("timeout", 60*time.Second, "give up on one launch after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *bins == "" || *runs < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: startbench --bin FILE[,FILE2...] [--runs 7] [--targets devcluster,console,etcd] [--timeout 60s]\n(build the binary first: go build -o /tmp/norikv-console .)")
		return 2
	}
	list, err := pick(*targets, strings.Split(*bins, ","), stderr)
	if err != nil {
		fmt.Fprintln(stderr, "startbench:", err)
		return 2
	}
	loadStart := loadAvg()
	times := map[string][]time.Duration{}
	for r := 0; r < *runs; r++ {
		for k := range list {
			t := list[(k+r)%len(list)] // rotate the order every round
			lctx, cancel := context.WithTimeout(ctx, *timeout)
			d, err := t.launch(lctx)
			cancel()
			if ctx.Err() != nil {
				return 1
			}
			if err != nil {
				fmt.Fprintf(stderr, "startbench: %s, round %d: %v\n", t.name, r+1, err)
				return 1
			}
			times[t.name] = append(times[t.name], d)
			fmt.Fprintf(stderr, "round %d %-30s %6.3f s\n", r+1, t.name, d.Seconds())
		}
	}
	fmt.Fprintf(stdout, "start-up, %d runs each, load average at the start %s, at the end %s\n\n", *runs, loadStart, loadAvg())
	fmt.Fprintln(stdout, "| target | min | median | max |")
	fmt.Fprintln(stdout, "|---|---|---|---|")
	for _, t := range list {
		mn, md, mx := summary(times[t.name])
		fmt.Fprintf(stdout, "| %s | %.3f s | %.3f s | %.3f s |\n", describe(t.name), mn.Seconds(), md.Seconds(), mx.Seconds())
	}
	return 0
}

// pick builds the named targets in the order given, each once per binary
// (etcd once); with several binaries a target's name carries the binary's.
func pick(names string, bins []string, stderr io.Writer) ([]target, error) {
	for _, b := range bins {
		if _, err := os.Stat(b); err != nil {
			return nil, fmt.Errorf("--bin: %w (build it with go build -o %s .)", err, b)
		}
	}
	label := func(what, bin string) string {
		if len(bins) == 1 {
			return what
		}
		return what + " " + filepath.Base(bin)
	}
	var out []target
	for _, name := range strings.Split(names, ",") {
		switch name = strings.TrimSpace(name); name {
		case "devcluster":
			for _, bin := range bins {
				out = append(out, target{label(name, bin), func(ctx context.Context) (time.Duration, error) { return launchDevcluster(ctx, bin) }})
			}
		case "console":
			for _, bin := range bins {
				out = append(out, target{label(name, bin), func(ctx context.Context) (time.Duration, error) { return launchConsole(ctx, bin) }})
			}
		case "serve":
			for _, bin := range bins {
				out = append(out, target{label(name, bin), func(ctx context.Context) (time.Duration, error) { return launchServe(ctx, bin) }})
			}
		case "etcd":
			etcd, err := exec.LookPath("etcd")
			if err != nil {
				fmt.Fprintln(stderr, "startbench: etcd is not installed (apt-get install etcd-server): skipping the etcd anchor")
				continue
			}
			out = append(out, target{name, func(ctx context.Context) (time.Duration, error) { return launchEtcd(ctx, etcd) }})
		case "":
		default:
			return nil, fmt.Errorf("unknown target %q (use devcluster, console, serve or etcd)", name)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no target to measure")
	}
	return out, nil
}

func describe(name string) string {
	what, bin, _ := strings.Cut(name, " ")
	if bin != "" {
		bin = " (" + bin + ")"
	}
	switch what {
	case "devcluster":
		return "`devcluster` launch to `ready`" + bin
	case "console":
		return "console launch to first full screen (embedded cluster, 80x24)" + bin
	case "serve":
		return "3 `serve` processes (--fsync), launch to all `ready`" + bin
	case "etcd":
		return "etcd, 3 members, launch to all healthy"
	}
	return name
}

// summary returns the min, median and max of ds (not empty).
func summary(ds []time.Duration) (mn, md, mx time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	md = s[len(s)/2]
	if len(s)%2 == 0 {
		md = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[0], md, s[len(s)-1]
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
