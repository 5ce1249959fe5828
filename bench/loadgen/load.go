package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/norikv/norikv-console/client"
)

// keyName is the key of slot i; fill writes slots 0..count-1 and run
// reads and overwrites slots in the same range.
func keyName(i int) []byte { return fmt.Appendf(nil, "bench/%08d", i) }

type target struct {
	system, endpoints string
	shards            int
}

func targetFlags(fs *flag.FlagSet) *target {
	t := &target{}
	fs.StringVar(&t.system, "system", "", "etcd or norikv (required)")
	fs.StringVar(&t.endpoints, "endpoints", "", "client addresses host:port, comma separated (required)")
	fs.IntVar(&t.shards, "shards", 1024, "norikv: the cluster's total shards")
	return t
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	t := targetFlags(fs)
	op := fs.String("op", "put", "put or get (linearizable)")
	workers := fs.Int("workers", 1, "concurrent workers sharing one client")
	dur := fs.Duration("duration", 10*time.Second, "how long to run")
	warmup := fs.Duration("warmup", time.Second, "run this long first without measuring")
	keys := fs.Int("keys", 100_000, "key slots used")
	valueSize := fs.Int("value-size", 100, "value bytes of a put")
	round := fs.Int("round", 0, "round number recorded in the results")
	order := fs.Int("order", 0, "1 if this system ran first in its pair, 2 if second")
	out := fs.String("out", "-", "results file (JSON lines) to append to; - prints")
	countSyncs := fs.String("count-syncs", "", "pids (comma separated) whose fsync+fdatasync calls to count with perf")
	ownPIDs := fs.String("own-pids", "", "pids of the system measured: their CPU per operation is recorded")
	otherPIDs := fs.String("other-pids", "", "pids of the other system, idle meanwhile: their CPU during the block is recorded (it takes CPU from the system measured)")
	opLog := fs.String("op-log", "", "also write every measured operation as 'start_unix_ns latency_ns' lines to this file (to line slow ones up with server events)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *op != "put" && *op != "get" {
		return fmt.Errorf("--op %q: use put or get", *op)
	}
	if *workers < 1 || *keys < 1 {
		return fmt.Errorf("--workers and --keys must be at least 1")
	}
	d, err := newDriver(t.system, t.endpoints, t.shards)
	if err != nil {
		return err
	}
	defer d.Close()
	do := func(ctx context.Context, rng *rand.Rand, value []byte) error {
		k := keyName(rng.IntN(*keys))
		if *op == "put" {
			return d.Put(ctx, k, value)
		}
		err := d.Get(ctx, k)
		if errors.Is(err, client.ErrKeyNotFound) {
			return nil // a read all the same
		}
		return err
	}
	if *warmup > 0 {
		runFor(*workers, *warmup, *valueSize, do)
	}
	var counter *syncCounter
	if *countSyncs != "" {
		if counter, err = startSyncCounter(*countSyncs); err != nil {
			return err
		}
	}
	own, err := startProcCPU(*ownPIDs)
	if err != nil {
		return fmt.Errorf("--own-pids: %w", err)
	}
	other, err := startProcCPU(*otherPIDs)
	if err != nil {
		return fmt.Errorf("--other-pids: %w", err)
	}
	cpu0 := readCPUStat()
	res := runFor(*workers, *dur, *valueSize, do)
	busy := readCPUStat().busyPctSince(cpu0)
	ownSec, err := own.since()
	if err != nil {
		return err
	}
	otherSec, err := other.since()
	if err != nil {
		return err
	}
	if *opLog != "" {
		if err := writeOpLog(*opLog, res.opTimes); err != nil {
			return err
		}
	}
	var syncsPerOp float64
	if counter != nil {
		n, err := counter.stop()
		if err != nil {
			return err
		}
		syncsPerOp = float64(n) / float64(max(res.ops, 1))
	}
	r := record{Kind: "block", System: t.system, Block: fmt.Sprintf("%s/%d", *op, *workers), Round: *round, Order: *order,
		Ops: res.ops, Errors: res.errors, Seconds: res.elapsed.Seconds(), OpsPerS: float64(res.ops) / res.elapsed.Seconds(),
		P50Ms: ms(res.quantile(0.50)), P99Ms: ms(res.quantile(0.99)), Load1: loadAvg1(), BusyPct: busy, SyncsPerOp: syncsPerOp,
		CPUMsPerOp: 1000 * ownSec / float64(max(res.ops, 1)), OtherCores: otherSec / res.elapsed.Seconds()}
	fmt.Fprintf(os.Stderr, "%-6s %-7s round %d: %8.0f ops/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  load %.2f  busy %.0f%%  syncs/op %.2f  cpu/op %.3f ms  other side %.2f cores\n",
		r.System, r.Block, r.Round, r.OpsPerS, r.P50Ms, r.P99Ms, r.Errors, r.Load1, r.BusyPct, r.SyncsPerOp, r.CPUMsPerOp, r.OtherCores)
	return appendRecord(*out, r)
}

func cmdFill(args []string) error {
	fs := flag.NewFlagSet("fill", flag.ContinueOnError)
	t := targetFlags(fs)
	count := fs.Int("count", 100_000, "keys to put (slots 0..count-1)")
	valueSize := fs.Int("value-size", 100, "value bytes")
	workers := fs.Int("workers", 64, "concurrent workers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := newDriver(t.system, t.endpoints, t.shards)
	if err != nil {
		return err
	}
	defer d.Close()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			value := make([]byte, *valueSize)
			for {
				i := int(next.Add(1) - 1)
				if i >= *count {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if err := d.Put(ctx, keyName(i), value); err != nil {
					failed.Add(1)
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	fmt.Fprintf(os.Stderr, "%s: filled %d keys of %d B in %.1f s (%d failed)\n", t.system, *count, *valueSize, time.Since(start).Seconds(), failed.Load())
	if failed.Load() > 0 {
		return fmt.Errorf("%d of %d puts failed", failed.Load(), *count)
	}
	return nil
}

type result struct {
	ops, errors int64
	elapsed     time.Duration
	lat         []time.Duration
	opTimes     []opTime // every measured operation, in no particular order
}

// opTime is one measured operation: when it started and how long it took.
type opTime struct {
	start int64 // unix ns
	lat   time.Duration
}

func writeOpLog(path string, ops []opTime) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--op-log: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, o := range ops {
		fmt.Fprintf(w, "%d %d\n", o.start, int64(o.lat))
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("--op-log: %w", err)
	}
	return f.Close()
}

func (r result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(q*float64(len(r.lat)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runFor runs workers doing op until d has passed and returns their
// latencies sorted.
func runFor(workers int, d time.Duration, valueSize int, op func(context.Context, *rand.Rand, []byte) error) result {
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			value := make([]byte, valueSize)
			for i := range value {
				value[i] = byte('a' + rng.IntN(26))
			}
			var lat []time.Duration
			var ops []opTime
			var errs int64
			for time.Now().Before(deadline) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				t0 := time.Now()
				err := op(ctx, rng, value)
				cancel()
				if err != nil {
					errs++
					continue
				}
				l := time.Since(t0)
				lat = append(lat, l)
				ops = append(ops, opTime{t0.UnixNano(), l})
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.opTimes = append(res.opTimes, ops...)
			res.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.ops = int64(len(res.lat))
	slices.Sort(res.lat)
	return res
}

// cmdWait retries one put until the system accepts it.
func cmdWait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	t := targetFlags(fs)
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	since := fs.Int64("since", 0, "launch time (unix ns): record the time from it to the first acknowledged put")
	out := fs.String("out", "", "results file for the start record (with --since)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	deadline := time.Now().Add(*timeout)
	var d driver
	var last error
	for time.Now().Before(deadline) {
		// A fresh client per attempt once every port accepts: a client
		// kept from before would wait out its own reconnect back-off.
		if last = allListening(t.endpoints); last != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if d, last = newDriver(t.system, t.endpoints, t.shards); last != nil {
			d = nil
			time.Sleep(10 * time.Millisecond)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		last = d.Put(ctx, []byte("bench/ping"), []byte("x"))
		cancel()
		_ = d.Close()
		d = nil
		if last == nil {
			if *since == 0 {
				return nil
			}
			secs := time.Since(time.Unix(0, *since)).Seconds()
			fmt.Fprintf(os.Stderr, "%s: launch to first acknowledged put %.2f s\n", t.system, secs)
			return appendRecord(*out, record{Kind: "start", System: t.system, Seconds: secs, Load1: loadAvg1()})
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("%s at %s not writable after %s: %v", t.system, t.endpoints, *timeout, last)
}

// allListening dials every endpoint once.
func allListening(endpoints string) error {
	for _, ep := range strings.Split(endpoints, ",") {
		c, err := net.DialTimeout("tcp", ep, 100*time.Millisecond)
		if err != nil {
			return err
		}
		_ = c.Close()
	}
	return nil
}
