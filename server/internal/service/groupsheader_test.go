package service_test

import (
	"strconv"
	"testing"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/service"
)

// Every node's WatchCluster header gives the cluster's group count beside
// its id, so our client can draw idempotency keys owned by the write's own
// group (no claim in another group).
func TestIdemGroupsOnWatchHeader(t *testing.T) {
	ctx := testCtx(t)
	want := strconv.Itoa(tc.Layout().Groups)
	for _, nid := range tc.NodeIDs() {
		stream, err := norikvpb.NewMetaClient(tc.conn(t, tc.Addr(nid))).WatchCluster(ctx, &norikvpb.ClusterView{})
		if err != nil {
			t.Fatal(err)
		}
		hdr, err := stream.Header()
		if err != nil {
			t.Fatal(err)
		}
		if got := hdr.Get(service.GroupsHeader); len(got) != 1 || got[0] != want {
			t.Fatalf("%s: %s header %v, want [%s]", nid, service.GroupsHeader, got, want)
		}
		if ids := hdr.Get(service.ClusterIDHeader); len(ids) != 1 {
			t.Fatalf("%s: %s header %v beside the groups, want one id", nid, service.ClusterIDHeader, ids)
		}
	}
}
