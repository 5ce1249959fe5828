package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteNpy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.npy")
	data := []float32{1, 2.5, -3, 4, 5, 6}
	if err := writeNpy(path, data, 2, 3); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("bad magic %q", b[:8])
	}
	hlen := int(binary.LittleEndian.Uint16(b[8:10]))
	header := string(b[10 : 10+hlen])
	if (10+hlen)%64 != 0 || header[len(header)-1] != '\n' {
		t.Fatalf("header not padded to 64 bytes with a newline: %q", header)
	}
	if !bytes.Contains([]byte(header), []byte("'descr': '<f4'")) || !bytes.Contains([]byte(header), []byte("'shape': (2, 3)")) {
		t.Fatalf("header %q", header)
	}
	body := b[10+hlen:]
	if len(body) != 4*len(data) {
		t.Fatalf("body %d bytes, want %d", len(body), 4*len(data))
	}
	for i, want := range data {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:])); got != want {
			t.Fatalf("value %d = %v, want %v", i, got, want)
		}
	}
	if err := writeNpy(filepath.Join(t.TempDir(), "i.npy"), []int32{7, -1}, 1, 2); err != nil {
		t.Fatal(err)
	}
}
