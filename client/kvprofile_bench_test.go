//go:build linux

package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// BenchmarkKVSideProfile profiles the 64-caller Get (or, with
// NORIKV_KVPROFILE_OP=put, Put) of BenchmarkKVRatio one side at a time, so the whole process's CPU (cluster, transports, runtime)
// is split by side, not only the callers' own code that the side=raw|client
// label covers. Each round takes a CPU profile of 4 s of raw callers and
// one of 4 s of client callers (order alternating), written to
// $NORIKV_KVPROFILE_DIR as raw-<round>.pprof and client-<round>.pprof with
// the ops of each in ops.txt; compare per op with
//
//	go tool pprof -top -diff_base raw-*.pprof client-*.pprof
//
// after scaling by the op counts. NORIKV_KVPROFILE_NOPROF=1 leaves the
// profiler off and only writes ops.txt: per op, user and system CPU,
// voluntary and involuntary context switches, objects and bytes allocated,
// mutex wait and GC cycles. NORIKV_KVPROFILE_MUTEX=1 also writes the mutex
// profile before and after each block (<side>-<round>-mutex0/1.pprof: the
// block's contention is go tool pprof -diff_base ...mutex0.pprof ...mutex1.pprof). Skipped unless NORIKV_KVPROFILE_DIR is set.
func BenchmarkKVSideProfile(b *testing.B) {
	dir := os.Getenv("NORIKV_KVPROFILE_DIR")
	if dir == "" {
		b.Skip("set NORIKV_KVPROFILE_DIR to a directory for the profiles")
	}
	c, keys, stubs := seededBench(b)
	ctx := context.Background()
	rawOp := func(i int) error {
		_, err := stubs[i%len(keys)].Get(ctx, &norikvpb.GetRequest{Key: keys[i%len(keys)], Consistency: "lease"})
		return err
	}
	cliOp := func(i int) error {
		_, err := c.Get(ctx, keys[i%len(keys)], &client.GetOptions{})
		return err
	}
	if os.Getenv("NORIKV_KVPROFILE_OP") == "put" {
		// BenchmarkKVRatio's Put: the raw side sends an idempotency key
		// drawn by the client's generator, like the client does.
		value := make([]byte, 100)
		rawOp = func(i int) error {
			k := keys[i%len(keys)]
			_, err := stubs[i%len(keys)].Put(ctx, &norikvpb.PutRequest{Key: k, Value: value, IdempotencyKey: c.IdempotencyKeyForTest(k)})
			return err
		}
		cliOp = func(i int) error {
			_, err := c.Put(ctx, keys[i%len(keys)], value, nil)
			return err
		}
	}
	raw := startCallers("raw", 64, rawOp)
	defer raw.stop()
	cli := startCallers("client", 64, cliOp)
	defer cli.stop()
	opsFile, err := os.Create(filepath.Join(dir, "ops.txt"))
	if err != nil {
		b.Fatal(err)
	}
	defer opsFile.Close()
	prof := os.Getenv("NORIKV_KVPROFILE_NOPROF") != "1"
	mutex := os.Getenv("NORIKV_KVPROFILE_MUTEX") == "1"
	if mutex {
		defer runtime.SetMutexProfileFraction(runtime.SetMutexProfileFraction(1))
	}
	run := func(side string, p *callerPool, round int) {
		settleGC()
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", side, round)))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if mutex {
			writeMutexProfile(b, filepath.Join(dir, fmt.Sprintf("%s-%d-mutex0.pprof", side, round)))
		}
		c0, m0 := usage(), counts()
		if prof {
			// 100 Hz gave too few samples per block for a per-function
			// comparison (the runtime warns that the rate was set first).
			runtime.SetCPUProfileRate(1000)
			if err := pprof.StartCPUProfile(f); err != nil {
				b.Fatal(err)
			}
		}
		var ops, errs int64
		for range 20 {
			n, e, _ := p.window(200 * time.Millisecond)
			ops, errs = ops+n, errs+e
		}
		if prof {
			pprof.StopCPUProfile()
		}
		c1, m1 := usage(), counts()
		if mutex {
			writeMutexProfile(b, filepath.Join(dir, fmt.Sprintf("%s-%d-mutex1.pprof", side, round)))
		}
		per := func(a, b int64) float64 { return float64(b-a) / float64(max(ops, 1)) }
		fmt.Fprintf(opsFile, "%s %d ops %d errors %.0f ns-user/op %.0f ns-sys/op %.3f vcsw/op %.3f ivcsw/op %.2f objs/op %.0f B/op %.1f ns-mutexwait/op %.3f gc/kop\n",
			side, ops, errs, per(c0.Utime.Nano(), c1.Utime.Nano()), per(c0.Stime.Nano(), c1.Stime.Nano()),
			per(c0.Nvcsw, c1.Nvcsw), per(c0.Nivcsw, c1.Nivcsw),
			per(int64(m0[0].Value.Uint64()), int64(m1[0].Value.Uint64())), per(int64(m0[1].Value.Uint64()), int64(m1[1].Value.Uint64())),
			1e9*(m1[2].Value.Float64()-m0[2].Value.Float64())/float64(max(ops, 1)),
			1e3*per(int64(m0[3].Value.Uint64()), int64(m1[3].Value.Uint64())))
	}
	round := 0
	for b.Loop() {
		if round%2 == 0 {
			run("raw", raw, round)
			run("client", cli, round)
		} else {
			run("client", cli, round)
			run("raw", raw, round)
		}
		round++
	}
}

// usage is the process's rusage (CPU split into user and system time, and
// context switches).
func usage() syscall.Rusage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru
}

// counts reads objects and bytes allocated, mutex wait time and GC cycles.
func counts() []metrics.Sample {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}, {Name: "/gc/heap/allocs:bytes"},
		{Name: "/sync/mutex/wait/total:seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s
}

// writeMutexProfile writes the process's cumulative mutex profile to path.
func writeMutexProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("mutex").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}
