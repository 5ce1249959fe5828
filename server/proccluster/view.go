//go:build unix

package proccluster

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// viewTimeout bounds asking one node for its view.
const viewTimeout = 2 * time.Second

// View returns the newest cluster view served by any running, unpaused
// node (the first message of its WatchCluster stream), or nil when none
// answers.
func (c *Cluster) View(t testing.TB) *norikvpb.ClusterView {
	t.Helper()
	var best *norikvpb.ClusterView
	for _, id := range c.ids {
		if c.Proc(id) == nil || c.Paused(id) {
			continue
		}
		v, err := fetchView(c.addrs[id])
		if err != nil {
			continue
		}
		if best == nil || v.Epoch > best.Epoch {
			best = v
		}
	}
	return best
}

func fetchView(addr string) (*norikvpb.ClusterView, error) {
	ctx, cancel := context.WithTimeout(context.Background(), viewTimeout)
	defer cancel()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stream, err := norikvpb.NewMetaClient(conn).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		return nil, err
	}
	return stream.Recv()
}
