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
	// peerProbeEvery is the pause before probing a peer again after a
	// failed probe, and the shortest reconnect back-off.
	peerProbeEvery = 10 * time.Millisecond
	// peerProbeFor is how long the probing goes on; by then the watchdog
	// has long started every election.
	peerProbeFor = 10 * time.Second
)

// probeMethod is a method no server has: any answer, UNIMPLEMENTED
// included, proves the peer's gRPC server runs, and it touches no state.
const probeMethod = "/norikv.startprobe.v1/Ping"

// campaignWhenPeersServe calls n.CampaignFresh once every other node of
// layout answers on its client port, or returns when ctx ends or
// peerProbeFor has passed.
func campaignWhenPeersServe(ctx context.Context, n *node.Node, layout topology.Layout, peerTLS *tls.Config) {
	ctx, cancel := context.WithTimeout(ctx, peerProbeFor)
	defer cancel()
	creds := insecure.NewCredentials()
	if peerTLS != nil {
		creds = credentials.NewTLS(peerTLS)
	}
	var wg sync.WaitGroup
	up := make([]bool, len(layout.Nodes))
	for i, nd := range layout.Nodes {
		if nd.ID == n.ID() {
			up[i] = true
			continue
		}
		// A short reconnect back-off (the default is 1 s and up, which
		// would hide a peer that comes up right after a refused
		// connection), and a connection attempt that waits as long as
		// the probing: a peer's port is bound before its server runs,
		// and the handshake completes the moment it does.
		cc, err := grpc.NewClient(nd.Addr, grpc.WithTransportCredentials(creds), grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: peerProbeEvery, Multiplier: 1.5, MaxDelay: 100 * time.Millisecond},
			MinConnectTimeout: peerProbeFor,
		}))
		if err != nil {
			return // an address gRPC cannot use: leave it to the start grace
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cc.Close()
			up[i] = waitServing(ctx, cc)
		}()
	}
	wg.Wait()
	for _, ok := range up {
		if !ok {
			return
		}
	}
	n.CampaignFresh()
}

// waitServing probes the peer behind cc until its gRPC server answers
// (true) or ctx ends (false).
func waitServing(ctx context.Context, cc *grpc.ClientConn) bool {
	for {
		err := cc.Invoke(ctx, probeMethod, &emptypb.Empty{}, &emptypb.Empty{}, grpc.WaitForReady(true))
		if serving(err) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(peerProbeEvery):
		}
	}
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
