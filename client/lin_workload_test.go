package client_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/client"
)

// The workload: workers issue Put, CAS and Get (lease and linearizable) on a
// few keys and record every operation in a linHistory.

// linOpTimeout bounds one operation, retries included. It is longer than a
// failover (~1-1.5 s) so most operations through a fault still answer.
const linOpTimeout = 4 * time.Second

// linStats counts what the workers saw.
type linStats struct {
	ok, ambiguous, mismatches, readsFailed, refused atomic.Int64
	mu                                              sync.Mutex
	errClasses                                      map[string]int // ambiguous writes and failed reads, by error class
}

func (s *linStats) countErr(err error) {
	class := linErrClass(err)
	s.mu.Lock()
	if s.errClasses == nil {
		s.errClasses = map[string]int{}
	}
	s.errClasses[class]++
	s.mu.Unlock()
}

func (s *linStats) errSummary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for k, n := range s.errClasses {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// linErrClass names an error by its gRPC code and Go type, for the figures.
func linErrClass(err error) string {
	var ce *client.ConnectionError
	if errors.As(err, &ce) {
		return "connection/" + status.Code(err).String()
	}
	return status.Code(err).String()
}

// linWorker is one sequential process of the history. After an ambiguous
// write it takes a new process id (as Jepsen does): its pending operation
// stays open forever, and a process has one operation open at a time.
type linWorker struct {
	c       *client.Client
	h       *linHistory
	stats   *linStats
	keys    []string
	rng     *rand.Rand
	nextPID *atomic.Int64 // shared: process ids
	nextVal *atomic.Int64 // shared: unique values
	pid     int
	known   map[string]client.Version // last version this worker saw per key, for CAS
}

func (w *linWorker) run(ctx context.Context) {
	w.pid = int(w.nextPID.Add(1) - 1)
	w.known = map[string]client.Version{}
	for ctx.Err() == nil {
		key := w.keys[w.rng.IntN(len(w.keys))]
		switch r := w.rng.IntN(100); {
		case r < 30:
			w.write(key, nil)
		case r < 50:
			if v, ok := w.known[key]; ok {
				w.write(key, &v)
			} else {
				w.write(key, nil)
			}
		case r < 75:
			w.read(key, client.ConsistencyLease)
		default:
			w.read(key, client.ConsistencyLinearizable)
		}
	}
}

// write is a Put, or a CAS when ifMatch is set.
func (w *linWorker) write(key string, ifMatch *client.Version) {
	val := fmt.Sprintf("v%d", w.nextVal.Add(1))
	in := linInput{Kind: linPut, Key: key, Value: val}
	if ifMatch != nil {
		in.Kind, in.IfMatch = linCAS, *ifMatch
	}
	ctx, cancel := context.WithTimeout(context.Background(), linOpTimeout)
	call := w.h.now()
	ver, err := w.c.Put(ctx, []byte(key), []byte(val), &client.PutOptions{IfMatchVersion: ifMatch})
	ret := w.h.now()
	cancel()
	var vm *client.VersionMismatchError
	switch {
	case err == nil:
		w.stats.ok.Add(1)
		w.known[key] = ver
		w.h.add(w.pid, in, call, linOutput{Version: ver, OK: true}, ret)
	case ifMatch != nil && errors.As(err, &vm):
		w.stats.mismatches.Add(1)
		out := linOutput{KeyMissing: vm.KeyMissing, Current: vm.Current}
		if vm.Current != nil {
			w.known[key] = *vm.Current
		}
		w.h.add(w.pid, in, call, out, ret)
	case status.Code(err) == codes.InvalidArgument:
		// Refused before applying: not part of the history.
		w.stats.refused.Add(1)
		w.stats.countErr(err)
	default:
		w.stats.ambiguous.Add(1)
		w.stats.countErr(err)
		w.h.add(w.pid, in, call, linOutput{Unknown: true}, ret)
		w.pid = int(w.nextPID.Add(1) - 1)
	}
}

// read is a Get; a failed read changed nothing, so it is left out.
func (w *linWorker) read(key string, level client.ConsistencyLevel) {
	in := linInput{Kind: linGet, Key: key, Level: level.String()}
	ctx, cancel := context.WithTimeout(context.Background(), linOpTimeout)
	call := w.h.now()
	res, err := w.c.Get(ctx, []byte(key), &client.GetOptions{Consistency: level})
	ret := w.h.now()
	cancel()
	switch {
	case err == nil:
		w.stats.ok.Add(1)
		w.known[key] = res.Version
		w.h.add(w.pid, in, call, linOutput{Found: true, Value: string(res.Value), Version: res.Version}, ret)
	case errors.Is(err, client.ErrKeyNotFound):
		w.stats.ok.Add(1)
		delete(w.known, key)
		w.h.add(w.pid, in, call, linOutput{}, ret)
	default:
		w.stats.readsFailed.Add(1)
		w.stats.countErr(err)
	}
}
