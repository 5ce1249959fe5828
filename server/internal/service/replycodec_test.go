package service

import (
	"bytes"
	"strings"
	"testing"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/kvstore"
)

func kvstoreVersion(term, index uint64) kvstore.Version {
	return kvstore.Version{Term: term, Index: index}
}

func replyCases() []proto.Message {
	meta := map[string]string{"shard": "17", "served_by": "n1"}
	withUnknown := &norikvpb.PutResponse{Version: &norikvpb.Version{Term: 1, Index: 2}}
	withUnknown.ProtoReflect().SetUnknown([]byte{0xf8, 0x01, 0x05}) // field 31, varint 5
	verUnknown := &norikvpb.Version{Term: 3}
	verUnknown.ProtoReflect().SetUnknown([]byte{0x18, 0x07}) // field 3, varint 7
	return []proto.Message{
		&norikvpb.PutResponse{},
		&norikvpb.PutResponse{Version: &norikvpb.Version{}},
		&norikvpb.PutResponse{Version: &norikvpb.Version{Term: 1 << 40, Index: 300}, Meta: meta},
		&norikvpb.PutResponse{Version: &norikvpb.Version{Index: 1}, Meta: map[string]string{"": "", "expires_at_ms": "1764550000000"}},
		newPutResponse(kvstoreVersion(5, 9), meta),
		withUnknown,
		&norikvpb.PutResponse{Version: verUnknown, Meta: meta},
		&norikvpb.PutResponse{Meta: map[string]string{"big": strings.Repeat("x", 2000)}},
		&norikvpb.GetResponse{},
		&norikvpb.GetResponse{Value: []byte("v"), Version: &norikvpb.Version{Term: 2, Index: 7}, Meta: meta},
		&norikvpb.GetResponse{Value: []byte{}, Meta: map[string]string{"served_by": "n3"}},
		&norikvpb.GetResponse{Value: bytes.Repeat([]byte{0xab}, 5000), Version: &norikvpb.Version{Term: 2, Index: 8}, Meta: meta},
		&norikvpb.DeleteResponse{Tombstoned: true, Version: &norikvpb.Version{Term: 1, Index: 1}},
	}
}

// TestReplyCodecMatchesProto: every reply the codec encodes decodes as the
// message it was (unknown fields included), and with at most one map entry
// (no order to differ in) the bytes are those gRPC's proto codec writes.
func TestReplyCodecMatchesProto(t *testing.T) {
	c, err := newReplyCodec()
	if err != nil {
		t.Fatal(err)
	}
	pc := encoding.GetCodecV2(grpcproto.Name)
	for i, m := range replyCases() {
		got, err := c.Marshal(m)
		if err != nil {
			t.Fatalf("case %d (%T): %v", i, m, err)
		}
		back := m.ProtoReflect().New().Interface()
		if err := proto.Unmarshal(got.Materialize(), back); err != nil {
			t.Fatalf("case %d (%T): our bytes do not decode: %v", i, m, err)
		}
		if !proto.Equal(back, m) {
			t.Fatalf("case %d (%T): decoded %v, want %v", i, m, back, m)
		}
		var entries int
		switch r := m.(type) {
		case *norikvpb.PutResponse:
			entries = len(r.Meta)
		case *norikvpb.GetResponse:
			entries = len(r.Meta)
		}
		if entries <= 1 {
			want, err := pc.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Materialize(), want.Materialize()) {
				t.Fatalf("case %d (%T): bytes\n%x\nwant (proto codec)\n%x", i, m, got.Materialize(), want.Materialize())
			}
		}
		got.Free()
		var dec norikvpb.PutResponse
		if p, ok := m.(*norikvpb.PutResponse); ok {
			wire, _ := proto.Marshal(p)
			if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, &dec); err != nil || !proto.Equal(&dec, p) {
				t.Fatalf("case %d: Unmarshal gave %v (%v), want %v", i, &dec, err, p)
			}
		}
	}
}

// TestReplyCodecAllocations: a Put reply with its two meta entries costs
// the buffer and its BufferSlice, not protobuf's map reflection.
func TestReplyCodecAllocations(t *testing.T) {
	c, err := newReplyCodec()
	if err != nil {
		t.Fatal(err)
	}
	m := newPutResponse(kvstoreVersion(5, 1<<20), map[string]string{"shard": "17", "served_by": "n1"})
	ours := testing.AllocsPerRun(200, func() { b, _ := c.Marshal(m); b.Free() })
	theirs := testing.AllocsPerRun(200, func() { b, _ := c.proto.Marshal(m); b.Free() })
	if ours > 3 || ours >= theirs {
		t.Fatalf("a Put reply made %.0f allocations (gRPC's proto codec %.0f), want at most 3", ours, theirs)
	}
	t.Logf("allocations per Put reply: %.0f (proto codec: %.0f)", ours, theirs)
}
