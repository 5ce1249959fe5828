package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// Fast start of a multi-process cluster.
//
// A `serve` node cannot tell whether its peers run, so a group that never
// had a leader waits the watchdog's start grace (300 ms) before its
// preferred leader campaigns. A peer whose gRPC server answers has opened
// all its groups (serve starts that server only once node.Start returned),
// so once every peer answers, the node starts those elections at once
// (node.CampaignFresh). A peer that never answers changes nothing: the
// start grace still applies.

const (
	// peerProbeEvery is the pause between rounds of probes.
	peerProbeEvery = 10 * time.Millisecond
	// peerProbeTimeout bounds one probe: a peer whose port is bound but
	// whose server is not up yet never answers it.
	peerProbeTimeout = 100 * time.Millisecond
	// peerProbeFor is how long the probing goes on; by then the watchdog
	// has long started every election.
	peerProbeFor = 10 * time.Second
)

// probeMethod is a method no server has: any answer, UNIMPLEMENTED
// included, proves the peer's gRPC server runs, and it touches no state.
const probeMethod = "/norikv.startprobe.v1/Ping"

// campaignWhenPeersServe calls n.CampaignFresh once every other node of
// layout answers on its client port, or returns when ctx ends, the node's
// groups all have leaders, or peerProbeFor has passed.
func campaignWhenPeersServe(ctx context.Context, n *node.Node, layout topology.Layout, peerTLS *tls.Config) {
	ctx, cancel := context.WithTimeout(ctx, peerProbeFor)
	defer cancel()
	creds := insecure.NewCredentials()
	if peerTLS != nil {
		creds = credentials.NewTLS(peerTLS)
	}
	var waiting []*grpc.ClientConn
	defer func() {
		for _, cc := range waiting {
			_ = cc.Close()
		}
	}()
	for _, nd := range layout.Nodes {
		if nd.ID == n.ID() {
			continue
		}
		// Short reconnect back-off: the default (1 s and up) would hide
		// a peer that comes up right after a refused connection.
		cc, err := grpc.NewClient(nd.Addr, grpc.WithTransportCredentials(creds), grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: peerProbeEvery, Multiplier: 1.5, MaxDelay: peerProbeTimeout},
			MinConnectTimeout: peerProbeTimeout,
		}))
		if err != nil {
			return // an address gRPC cannot use: leave it to the start grace
		}
		waiting = append(waiting, cc)
	}
	for len(waiting) > 0 {
		if n.AllGroupsLed() {
			return
		}
		waiting = probeRound(ctx, waiting)
		if len(waiting) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(peerProbeEvery):
		}
	}
	n.CampaignFresh()
}

// probeRound probes every connection at once and returns those whose peer
// did not answer (closing the others).
func probeRound(ctx context.Context, ccs []*grpc.ClientConn) []*grpc.ClientConn {
	answered := make([]bool, len(ccs))
	var wg sync.WaitGroup
	for i, cc := range ccs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, peerProbeTimeout)
			defer cancel()
			answered[i] = serving(cc.Invoke(pctx, probeMethod, &emptypb.Empty{}, &emptypb.Empty{}))
		}()
	}
	wg.Wait()
	var left []*grpc.ClientConn
	for i, cc := range ccs {
		if answered[i] {
			_ = cc.Close()
		} else {
			left = append(left, cc)
		}
	}
	return left
}

// serving reports whether a probe's result came from a running gRPC server.
func serving(err error) bool {
	if err == nil {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return false
	}
	return true
}
