package cluster_test

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/cluster/tlstest"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// dialWith opens a client connection with the given transport credentials.
func dialWith(t *testing.T, addr string, creds credentials.TransportCredentials) *grpc.ClientConn {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

// putWorks tries one Put on the key's leader over cc's node.
func putWorks(ctx context.Context, cc *grpc.ClientConn, key string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err := norikvpb.NewKvClient(cc).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("secret")})
	return err
}

// TestTLSCluster: every port speaks TLS. Start returning at all proves
// the replication port works under TLS (every group elected a leader over
// it); a write is then replicated to the followers, a vector call on a
// follower is forwarded to the leader over TLS, and plaintext clients or
// clients that do not trust the CA are refused.
func TestTLSCluster(t *testing.T) {
	f := tlstest.New(t)
	c := start(t, cluster.Options{TotalShards: 8, Groups: 2, TLSCert: f.CertFile, TLSKey: f.KeyFile})
	ctx := ctxFor(t, 30*time.Second)
	const key = "tls-key"
	shard := topology.ShardOf([]byte(key), 8)
	leader := c.LeaderOf(shard)
	secure := credentials.NewTLS(f.ClientConfig(t, false))
	if err := putWorks(ctx, dialWith(t, c.Addr(leader), secure), key); err != nil {
		t.Fatalf("TLS client: %v", err)
	}
	for _, r := range c.Layout().Replicas(c.Layout().GroupOfShard(shard)) {
		waitStaleValue(t, ctx, dialWith(t, r.Addr, secure), key)
	}
	follower := ""
	for _, r := range c.Layout().Replicas(c.Layout().GroupOfShard(shard)) {
		if r.ID != leader {
			follower = r.ID
		}
	}
	vectorThroughFollower(t, ctx, c, dialWith(t, c.Addr(follower), secure), "tls-ns")

	if err := putWorks(ctx, dialWith(t, c.Addr(leader), insecure.NewCredentials()), key); err == nil {
		t.Fatal("a plaintext client was served by a TLS cluster")
	}
	other := f
	other.CAFile = f.OtherCAFile
	if err := putWorks(ctx, dialWith(t, c.Addr(leader), credentials.NewTLS(other.ClientConfig(t, false))), key); err == nil {
		t.Fatal("a client trusting another CA accepted the cluster's certificate")
	}
	refusesPlaintextReplication(t, c)
}

// TestMutualTLSCluster: with a client CA every port requires a client
// certificate signed by it; nodes use theirs to replicate and forward.
func TestMutualTLSCluster(t *testing.T) {
	f := tlstest.New(t)
	c := start(t, cluster.Options{TotalShards: 8, Groups: 2, TLSCert: f.CertFile, TLSKey: f.KeyFile, TLSClientCA: f.CAFile})
	ctx := ctxFor(t, 30*time.Second)
	const key = "mtls-key"
	shard := topology.ShardOf([]byte(key), 8)
	leader := c.LeaderOf(shard)
	withCert := credentials.NewTLS(f.ClientConfig(t, true))
	if err := putWorks(ctx, dialWith(t, c.Addr(leader), withCert), key); err != nil {
		t.Fatalf("client with a certificate: %v", err)
	}
	for _, r := range c.Layout().Replicas(c.Layout().GroupOfShard(shard)) {
		waitStaleValue(t, ctx, dialWith(t, r.Addr, withCert), key)
	}
	for _, id := range c.NodeIDs() {
		if id != leader {
			vectorThroughFollower(t, ctx, c, dialWith(t, c.Addr(id), withCert), "mtls-ns-"+id)
		}
	}
	if err := putWorks(ctx, dialWith(t, c.Addr(leader), credentials.NewTLS(f.ClientConfig(t, false))), key); err == nil {
		t.Fatal("a client without a certificate was served under mutual TLS")
	}
	stranger := f.ClientConfig(t, false)
	cert, err := tls.LoadX509KeyPair(f.OtherClientCertFile, f.OtherClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	stranger.Certificates = []tls.Certificate{cert}
	if err := putWorks(ctx, dialWith(t, c.Addr(leader), credentials.NewTLS(stranger)), key); err == nil {
		t.Fatal("a client certificate from another CA was accepted")
	}
	refusesPlaintextReplication(t, c)
}

// waitStaleValue polls a replica's own state until it holds key.
func waitStaleValue(t *testing.T, ctx context.Context, cc *grpc.ClientConn, key string) {
	t.Helper()
	for {
		res, err := norikvpb.NewKvClient(cc).Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: "stale_ok"})
		if err == nil && string(res.Value) == "secret" {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("replica %s never got %s: %v", cc.Target(), key, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// vectorThroughFollower creates an index and searches it through cc (not
// necessarily the namespace's leader): forwarded calls cross TLS too.
func vectorThroughFollower(t *testing.T, ctx context.Context, c *cluster.Cluster, cc *grpc.ClientConn, ns string) {
	t.Helper()
	vc := norikvpb.NewVectorClient(cc)
	if _, err := vc.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: 2,
		Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN}); err != nil {
		t.Fatalf("create %s through %s: %v", ns, cc.Target(), err)
	}
	if _, err := vc.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "a", Vector: []float32{1, 2}}); err != nil {
		t.Fatalf("insert into %s through %s: %v", ns, cc.Target(), err)
	}
	res, err := vc.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2}, K: 1})
	if err != nil || len(res.Matches) != 1 {
		t.Fatalf("search %s through %s: %v %v", ns, cc.Target(), res, err)
	}
}

// refusesPlaintextReplication opens a plaintext connection to a node's
// replication port: the TLS server must close it instead of reading a
// channel header.
func refusesPlaintextReplication(t *testing.T, c *cluster.Cluster) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", c.Layout().Nodes[0].RaftAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	hdr := append([]byte("NKVR\xff\xff\xff\xff\x02"), "n9"...)
	_, _ = conn.Write(append(hdr, 0, 0, 0, 2, '{', '}'))
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err == nil && n > 0 && buf[0] != 0x15 { // 0x15: a TLS alert record
		t.Fatalf("replication port answered plaintext: %q", buf[:n])
	}
}
