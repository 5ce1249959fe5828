package client

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client/internal/hashing"
	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// ShardForKey returns the shard of key: JumpConsistentHash(xxhash64(key), totalShards).
// It does not allocate.
func ShardForKey(key []byte, totalShards int) int { return hashing.Shard(key, totalShards) }

// JumpConsistentHash maps hash to a bucket in [0, buckets) with Google's jump
// consistent hash, computed in float64 exactly as every NoriKV client does.
func JumpConsistentHash(hash uint64, buckets int) int { return hashing.Jump(hash, buckets) }

// Route reports where key is routed: its hash, shard, replicas and cached leader.
func (c *Client) Route(key []byte) Route {
	h := hashing.Hash(key)
	st := c.sh()
	r := Route{Hash: h, Shard: hashing.Jump(h, st.total)}
	if t := c.topo.Load(); t != nil && r.Shard < len(t.replicas) {
		r.Replicas = append([]string(nil), t.replicas[r.Shard]...)
	}
	if e := st.leaders[r.Shard].Load(); e != nil {
		r.LeaderID, r.LeaderAddr, r.FromCache = e.id, e.addr, !e.fromView
	}
	return r
}

// Put writes value under key and returns the version of the write. With
// IfMatchVersion it is a compare-and-swap: a mismatch fails with
// *VersionMismatchError (which also matches ErrKeyNotFound when the key does
// not exist).
func (c *Client) Put(ctx context.Context, key, value []byte, opts *PutOptions) (Version, error) {
	if err := checkKey("put", key); err != nil {
		return Version{}, err
	}
	if err := checkValue("put", value); err != nil {
		return Version{}, err
	}
	req := &norikvpb.PutRequest{Key: key, Value: value}
	var ifMatch *Version
	if opts != nil {
		if opts.TTL < 0 {
			return Version{}, invalidArg("put", "TTL %s is negative: use 0 for no expiry", opts.TTL)
		}
		if opts.TTL > 0 {
			req.TtlMs = uint64((opts.TTL + time.Millisecond - 1) / time.Millisecond)
		}
		if err := checkIdemKey("put", opts.IdempotencyKey); err != nil {
			return Version{}, err
		}
		req.IdempotencyKey = opts.IdempotencyKey
		ifMatch = opts.IfMatchVersion
		req.IfMatch = ifMatch.toPB()
	}
	st := c.sh()
	shard := hashing.Shard(key, st.total)
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = st.idem.next(shard)
	}
	var resp *norikvpb.PutResponse
	cl := call{op: opPut, shard: shard, ifMatch: ifMatch}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Kv.Put(ctx, req, o...)
		return err
	})
	if err != nil {
		return Version{}, err
	}
	return versionFromPB(resp.GetVersion()), nil
}

// Get reads key. A missing or expired key fails with ErrKeyNotFound.
func (c *Client) Get(ctx context.Context, key []byte, opts *GetOptions) (*GetResult, error) {
	if err := checkKey("get", key); err != nil {
		return nil, err
	}
	level := ConsistencyLease
	if opts != nil {
		level = opts.Consistency
	}
	req := &norikvpb.GetRequest{Key: key}
	var resp *norikvpb.GetResponse
	cl := call{op: opGet, shard: hashing.Shard(key, c.sh().total), consistency: true, anyReplica: level == ConsistencyStaleOK}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		req.Consistency = level.wire(n.AltVocab.Load())
		var err error
		resp, err = n.Kv.Get(ctx, req, o...)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Quirk (PROTOCOL §6): some servers answer a missing key with OK, an empty
	// value and no version.
	if resp.GetVersion() == nil && len(resp.GetValue()) == 0 {
		return nil, newError("get", codes.NotFound, "key not found (empty reply without a version)", ErrKeyNotFound)
	}
	return &GetResult{Value: resp.GetValue(), Version: versionFromPB(resp.GetVersion()), Meta: resp.GetMeta()}, nil
}

// Delete removes key and reports whether it existed. With IfMatchVersion the
// delete is conditional. Some upstream servers answer true for a missing key
// and ignore IfMatchVersion; the client reports what the server said.
func (c *Client) Delete(ctx context.Context, key []byte, opts *DeleteOptions) (bool, error) {
	if err := checkKey("delete", key); err != nil {
		return false, err
	}
	req := &norikvpb.DeleteRequest{Key: key}
	var ifMatch *Version
	if opts != nil {
		if err := checkIdemKey("delete", opts.IdempotencyKey); err != nil {
			return false, err
		}
		req.IdempotencyKey = opts.IdempotencyKey
		ifMatch = opts.IfMatchVersion
		req.IfMatch = ifMatch.toPB()
	}
	st := c.sh()
	shard := hashing.Shard(key, st.total)
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = st.idem.next(shard)
	}
	var resp *norikvpb.DeleteResponse
	cl := call{op: opDelete, shard: shard, ifMatch: ifMatch}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Kv.Delete(ctx, req, o...)
		return err
	})
	if err != nil {
		return false, err
	}
	return resp.GetTombstoned(), nil
}
