package service

import (
	"github.com/norikv/norikv-console/proto/norikvpb"
)

type metaService struct {
	norikvpb.UnimplementedMetaServer
	s *Server
}

// WatchCluster sends the current view at once, then each later epoch. The
// epoch a watcher sees never goes backwards: views come from this node's
// metadata replica, applied in log order.
func (m *metaService) WatchCluster(_ *norikvpb.ClusterView, stream norikvpb.Meta_WatchClusterServer) error {
	sent := false
	var last uint64
	for {
		st, changed := m.s.n.Meta()
		if !sent || st.Epoch > last {
			if err := stream.Send(m.s.views.get(st)); err != nil {
				return err
			}
			sent, last = true, st.Epoch
		}
		select {
		case <-stream.Context().Done():
			return nil
		case <-m.s.done:
			return nil
		case <-changed:
		}
	}
}
