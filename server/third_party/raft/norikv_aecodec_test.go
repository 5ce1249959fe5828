package raft

// Tests of the NoriKV patch (README.NORIKV.md): the binary AppendEntries codec.

import (
	"bufio"
	"bytes"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"
)

// encodeAE returns the wire bytes of a request (type byte included).
func encodeAE(t testing.TB, a *AppendEntriesRequest) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := writeAppendEntriesBinary(w, a); err != nil {
		t.Fatalf("encode: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeAE reads wire bytes as the receiving transport does.
func decodeAE(wire []byte) (*AppendEntriesRequest, error) {
	r := bufio.NewReader(bytes.NewReader(wire))
	typ, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	if typ != rpcAppendEntriesBinary {
		return nil, errors.New("wrong type byte")
	}
	return readAppendEntriesBinary(r)
}

// sameAE compares two requests field by field; times by instant, as the
// codec (like msgpack) does not carry the location or monotonic reading.
func sameAE(t *testing.T, want, got *AppendEntriesRequest) {
	t.Helper()
	w, g := *want, *got
	w.Entries, g.Entries = nil, nil
	if !reflect.DeepEqual(w, g) {
		t.Fatalf("header: want %+v, got %+v", w, g)
	}
	if len(want.Entries) != len(got.Entries) {
		t.Fatalf("entries: want %d, got %d", len(want.Entries), len(got.Entries))
	}
	for i := range want.Entries {
		we, ge := *want.Entries[i], *got.Entries[i]
		if !we.AppendedAt.Equal(ge.AppendedAt) || we.AppendedAt.IsZero() != ge.AppendedAt.IsZero() {
			t.Fatalf("entry %d AppendedAt: want %v, got %v", i, we.AppendedAt, ge.AppendedAt)
		}
		we.AppendedAt, ge.AppendedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(we, ge) {
			t.Fatalf("entry %d: want %+v, got %+v", i, we, ge)
		}
	}
}

func aeCases() map[string]*AppendEntriesRequest {
	hdr := RPCHeader{ProtocolVersion: ProtocolVersionMax, ID: []byte("n1"), Addr: []byte("127.0.0.1:7001")}
	big := &AppendEntriesRequest{RPCHeader: hdr, Term: 9, Leader: []byte("127.0.0.1:7001"), PrevLogEntry: 1 << 40, PrevLogTerm: 8, LeaderCommitIndex: 1<<40 - 3}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		data := make([]byte, rng.Intn(300))
		rng.Read(data)
		if i == 7 {
			data = make([]byte, 3<<20) // larger than one read chunk
			rng.Read(data)
		}
		big.Entries = append(big.Entries, &Log{Index: 1<<40 + uint64(i), Term: 9, Type: LogType(i % 6), Data: data,
			AppendedAt: time.Unix(1764550000+int64(i), int64(i)*997)})
	}
	return map[string]*AppendEntriesRequest{
		"zero":      {},
		"heartbeat": {RPCHeader: hdr, Term: 3, Leader: []byte("127.0.0.1:7001")},
		"commit only, negative protocol": {RPCHeader: RPCHeader{ProtocolVersion: -1}, Term: 3,
			PrevLogEntry: 10, PrevLogTerm: 2, LeaderCommitIndex: 10},
		"nil and empty slices": {RPCHeader: RPCHeader{ID: []byte{}, Addr: nil}, Term: 1, Leader: []byte{}, Entries: []*Log{
			{Index: 1, Term: 1, Type: LogCommand, Data: nil, Extensions: nil},
			{Index: 2, Term: 1, Type: LogCommand, Data: []byte{}, Extensions: []byte{}},
			{Index: 3, Term: 1, Type: LogNoop},
		}},
		"extensions and times": {RPCHeader: hdr, Term: 5, Entries: []*Log{
			{Index: 4, Term: 5, Type: LogCommand, Data: []byte("put k v"), Extensions: []byte{0, 1, 2, 255},
				AppendedAt: time.Now()},
			{Index: 5, Term: 5, Type: LogConfiguration, Data: []byte("conf"), AppendedAt: time.Unix(-62135596800, 1)},
			{Index: 6, Term: 5, Type: LogType(255), Extensions: []byte("x"), AppendedAt: time.Date(3000, 1, 1, 0, 0, 0, 999999999, time.UTC)},
		}},
		"large batch": big,
	}
}

func TestAECodecRoundTrip(t *testing.T) {
	for name, want := range aeCases() {
		t.Run(name, func(t *testing.T) {
			got, err := decodeAE(encodeAE(t, want))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			sameAE(t, want, got)
		})
	}
}

// TestAECodecDataIsOwned: decoded slices do not overlap, and appending to
// one (as a keeper might) cannot overwrite the next entry's bytes.
func TestAECodecDataIsOwned(t *testing.T) {
	want := aeCases()["extensions and times"]
	got, err := decodeAE(encodeAE(t, want))
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got.Entries[0].Data, 'X', 'X', 'X', 'X', 'X', 'X', 'X', 'X')
	sameAE(t, want, got)
}

// TestAECodecTruncated: every proper prefix of a request is an error.
func TestAECodecTruncated(t *testing.T) {
	wire := encodeAE(t, aeCases()["extensions and times"])
	for n := 0; n < len(wire); n++ {
		if _, err := decodeAE(wire[:n]); err == nil {
			t.Fatalf("prefix of %d of %d bytes decoded without an error", n, len(wire))
		}
	}
}

// TestAECodecGarbage: damaged and random input returns errors, never panics.
func TestAECodecGarbage(t *testing.T) {
	wire := encodeAE(t, aeCases()["nil and empty slices"])
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 20000; i++ {
		b := append([]byte(nil), wire...)
		for j := rng.Intn(4); j >= 0; j-- {
			b[1+rng.Intn(len(b)-1)] = byte(rng.Intn(256))
		}
		_, _ = decodeAE(b)
		junk := make([]byte, rng.Intn(64))
		rng.Read(junk)
		_, _ = decodeAppendEntriesBinary(junk)
	}
	for name, body := range map[string][]byte{
		"huge length":      {rpcAppendEntriesBinary, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"length past data": {rpcAppendEntriesBinary, 0x80, 0x80, 0x40, 1, 2, 3},
		"bad varint":       {rpcAppendEntriesBinary, 11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		if _, err := decodeAE(body); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A count of entries the body cannot hold.
	if _, err := decodeAppendEntriesBinary([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil ||
		!strings.Contains(err.Error(), "cannot fit") {
		t.Errorf("huge entry count: %v", err)
	}
	// Trailing bytes.
	if _, err := decodeAppendEntriesBinary([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 9}); err == nil {
		t.Error("trailing byte: no error")
	}
}

func TestAEResponseRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		err  error
		resp *AppendEntriesResponse
	}{
		{nil, &AppendEntriesResponse{RPCHeader: RPCHeader{ProtocolVersion: 3, ID: []byte("n2"), Addr: []byte("a:1")}, Term: 7, LastLog: 1 << 50, Success: true}},
		{nil, &AppendEntriesResponse{Term: 1, NoRetryBackoff: true}},
		{errors.New("leader shutting down"), &AppendEntriesResponse{Term: 2}},
		{errors.New("no response"), nil},
	} {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		if err := writeAEResponseBinary(w, tc.err, tc.resp); err != nil {
			t.Fatal(err)
		}
		_ = w.Flush()
		wire := buf.Bytes()
		var got AppendEntriesResponse
		connErr, rpcErr := readAEResponseBinary(bufio.NewReader(bytes.NewReader(wire)), &got)
		if connErr != nil {
			t.Fatalf("decode: %v", connErr)
		}
		if (tc.err == nil) != (rpcErr == nil) || (tc.err != nil && tc.err.Error() != rpcErr.Error()) {
			t.Fatalf("error: want %v, got %v", tc.err, rpcErr)
		}
		want := tc.resp
		if want == nil {
			want = &AppendEntriesResponse{}
		}
		if !reflect.DeepEqual(*want, got) {
			t.Fatalf("want %+v, got %+v", *want, got)
		}
		for n := 0; n < len(wire); n++ {
			if connErr, _ := readAEResponseBinary(bufio.NewReader(bytes.NewReader(wire[:n])), &got); connErr == nil {
				t.Fatalf("prefix of %d of %d bytes decoded without an error", n, len(wire))
			}
		}
	}
	bad := []byte{0, 0, 0, 0, 1, 1, 0x80}
	var got AppendEntriesResponse
	if connErr, _ := readAEResponseBinary(bufio.NewReader(bytes.NewReader(bad)), &got); connErr == nil {
		t.Error("unknown flags: no error")
	}
}

// FuzzAECodec: any body decodes to an error or to a request that encodes
// back to the same bytes.
func FuzzAECodec(f *testing.F) {
	for _, a := range aeCases() {
		if len(a.Entries) > 10 {
			continue
		}
		wire := encodeAE(f, a)
		f.Add(wire[1:])
	}
	f.Add([]byte{})
	f.Add([]byte{5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		r := bufio.NewReader(bytes.NewReader(body))
		a, err := readAppendEntriesBinary(r)
		if err != nil {
			return
		}
		again, err := decodeAE(encodeAE(t, a))
		if err != nil {
			t.Fatalf("re-encoded request does not decode: %v", err)
		}
		sameAE(t, a, again)
	})
}

// BenchmarkAECodec encodes and decodes one AppendEntries request of a few
// 100-byte entries and its response, msgpack (upstream) against binary.
func BenchmarkAECodec(b *testing.B) {
	req := &AppendEntriesRequest{RPCHeader: RPCHeader{ProtocolVersion: ProtocolVersionMax, ID: []byte("n1"), Addr: []byte("127.0.0.1:7001")},
		Term: 3, Leader: []byte("127.0.0.1:7001"), PrevLogEntry: 100000, PrevLogTerm: 3, LeaderCommitIndex: 99998}
	for i := 0; i < 4; i++ {
		req.Entries = append(req.Entries, &Log{Index: 100001 + uint64(i), Term: 3, Type: LogCommand, Data: make([]byte, 100), AppendedAt: time.Now()})
	}
	resp := &AppendEntriesResponse{RPCHeader: req.RPCHeader, Term: 3, LastLog: 100004, Success: true}
	b.Run("msgpack", func(b *testing.B) {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		enc := codec.NewEncoder(w, &codec.MsgpackHandle{BasicHandle: codec.BasicHandle{TimeNotBuiltin: true}})
		r := bufio.NewReader(&buf)
		dec := codec.NewDecoder(r, &codec.MsgpackHandle{}) // per connection, as in the transport
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf.Reset()
			_ = enc.Encode(req)
			_ = enc.Encode("")
			_ = enc.Encode(resp)
			_ = w.Flush()
			var got AppendEntriesRequest
			var msg string
			var gotResp AppendEntriesResponse
			if dec.Decode(&got) != nil || dec.Decode(&msg) != nil || dec.Decode(&gotResp) != nil {
				b.Fatal("decode")
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		r := bufio.NewReader(&buf)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf.Reset()
			_ = writeAppendEntriesBinary(w, req)
			_ = writeAEResponseBinary(w, nil, resp)
			_ = w.Flush()
			_, _ = r.ReadByte()
			var gotResp AppendEntriesResponse
			if _, err := readAppendEntriesBinary(r); err != nil {
				b.Fatal(err)
			}
			if connErr, _ := readAEResponseBinary(r, &gotResp); connErr != nil {
				b.Fatal(connErr)
			}
		}
	})
}
