package service

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// replyCodec is gRPC's proto codec but for Put and Get replies, which it
// encodes itself. protobuf-go marshals a map field through reflection,
// boxing every key and value twice (size, then append): for the two
// entries of a reply's meta that was 8 of the ~45 allocations a leader
// made per Put, and what goes on the wire is the same (fields in number
// order, every map entry with its key and value, as protobuf-go writes
// them; map order is unspecified either way). Replies carrying unknown
// fields (relayed from a newer node) and Get values above gRPC's pooling
// threshold go through the proto codec.
type replyCodec struct {
	proto encoding.CodecV2
}

func newReplyCodec() (replyCodec, error) {
	c := encoding.GetCodecV2(grpcproto.Name)
	if c == nil {
		return replyCodec{}, fmt.Errorf("gRPC's %q codec is not registered", grpcproto.Name)
	}
	return replyCodec{proto: c}, nil
}

// Name is the proto codec's: the wire format is the same.
func (c replyCodec) Name() string { return grpcproto.Name }

func (c replyCodec) Unmarshal(data mem.BufferSlice, v any) error { return c.proto.Unmarshal(data, v) }

func (c replyCodec) Marshal(v any) (mem.BufferSlice, error) {
	var b []byte
	switch m := v.(type) {
	case *norikvpb.PutResponse:
		b = appendPutResponse(m)
	case *norikvpb.GetResponse:
		b = appendGetResponse(m)
	}
	if b == nil {
		return c.proto.Marshal(v)
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

// replyBufSize is gRPC's pooling threshold: larger replies are left to
// the proto codec, which marshals them into pooled buffers.
const replyBufSize = 1024

// appendPutResponse encodes m, or returns nil if the proto codec must.
func appendPutResponse(m *norikvpb.PutResponse) []byte {
	if m == nil || len(m.ProtoReflect().GetUnknown()) > 0 || !plainVersion(m.Version) {
		return nil
	}
	size := versionFieldSize(1, m.Version) + metaSize(2, m.Meta)
	if size > replyBufSize {
		return nil
	}
	b := make([]byte, 0, size)
	b = appendVersionField(b, 1, m.Version)
	return appendMeta(b, 2, m.Meta)
}

// appendGetResponse encodes m, or returns nil if the proto codec must.
func appendGetResponse(m *norikvpb.GetResponse) []byte {
	if m == nil || len(m.ProtoReflect().GetUnknown()) > 0 || !plainVersion(m.Version) {
		return nil
	}
	size := versionFieldSize(2, m.Version) + metaSize(3, m.Meta)
	if len(m.Value) > 0 {
		size += protowire.SizeTag(1) + protowire.SizeBytes(len(m.Value))
	}
	if size > replyBufSize {
		return nil
	}
	b := make([]byte, 0, size)
	if len(m.Value) > 0 {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, m.Value)
	}
	b = appendVersionField(b, 2, m.Version)
	return appendMeta(b, 3, m.Meta)
}

// plainVersion reports whether v (nil allowed) has no unknown fields.
func plainVersion(v *norikvpb.Version) bool {
	return v == nil || len(v.ProtoReflect().GetUnknown()) == 0
}

func versionSize(v *norikvpb.Version) int {
	n := 0
	if v.Term != 0 {
		n += protowire.SizeTag(1) + protowire.SizeVarint(v.Term)
	}
	if v.Index != 0 {
		n += protowire.SizeTag(2) + protowire.SizeVarint(v.Index)
	}
	return n
}

// versionFieldSize is the size of v as message field num (0 when nil).
func versionFieldSize(num protowire.Number, v *norikvpb.Version) int {
	if v == nil {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(versionSize(v))
}

func appendVersionField(b []byte, num protowire.Number, v *norikvpb.Version) []byte {
	if v == nil {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(versionSize(v)))
	if v.Term != 0 {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, v.Term)
	}
	if v.Index != 0 {
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, v.Index)
	}
	return b
}

// metaEntrySize is the size of one map<string,string> entry's body: its
// key (field 1) and value (field 2), both always written.
func metaEntrySize(k, v string) int {
	return protowire.SizeTag(1) + protowire.SizeBytes(len(k)) + protowire.SizeTag(2) + protowire.SizeBytes(len(v))
}

// metaSize is the size of the map field num's entries.
func metaSize(num protowire.Number, meta map[string]string) int {
	n := 0
	for k, v := range meta {
		n += protowire.SizeTag(num) + protowire.SizeBytes(metaEntrySize(k, v))
	}
	return n
}

func appendMeta(b []byte, num protowire.Number, meta map[string]string) []byte {
	for k, v := range meta {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(metaEntrySize(k, v)))
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, k)
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, v)
	}
	return b
}
