package vectors

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

func TestParseVector(t *testing.T) {
	for in, want := range map[string][]float32{
		"0.1, 0.2, 0.3":       {0.1, 0.2, 0.3},
		" 1 2\t3 ":            {1, 2, 3},
		"[1.5,-2e-1, 3]":      {1.5, -0.2, 3},
		"1;2;3":               {1, 2, 3},
		"1,, 2 ,3":            {1, 2, 3},
		"[0.25, 0.5, 0.75]\n": {0.25, 0.5, 0.75},
	} {
		got, err := ParseVector(in, 3)
		if err != nil || len(got) != len(want) {
			t.Fatalf("ParseVector(%q) = %v, %v", in, got, err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("ParseVector(%q)[%d] = %v, want %v", in, i, got[i], want[i])
			}
		}
	}
	if got, err := ParseVector("1 2 3 4 5", 0); err != nil || len(got) != 5 {
		t.Errorf("unknown dims: %v, %v", got, err)
	}
	for in, wantErr := range map[string]string{
		"":           "empty",
		"[ ]":        "empty",
		"1, 2":       "has 2 values but the index has 3 dimensions",
		"1, x, 3":    `value 2 "x" is not a number`,
		"1, NaN, 3":  "not finite",
		"1, 2, +Inf": "not finite",
		"1, 2, 1e39": `value 3 "1e39" is not a number`, // beyond float32
	} {
		if _, err := ParseVector(in, 3); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseVector(%q) error = %v, want it to say %q", in, err, wantErr)
		}
	}
}

func TestParseKAndEf(t *testing.T) {
	if k, err := ParseK(" 25 "); err != nil || k != 25 {
		t.Errorf("ParseK = %d, %v", k, err)
	}
	for _, bad := range []string{"", "0", "1001", "-3", "ten", "2.5"} {
		if _, err := ParseK(bad); err == nil || !strings.Contains(err.Error(), "1") {
			t.Errorf("ParseK(%q) = %v, want a range error", bad, err)
		}
	}
	if ef, err := ParseEf(""); err != nil || ef != 0 {
		t.Errorf("empty ef = %d, %v; want 0 (index default)", ef, err)
	}
	if ef, err := ParseEf("128"); err != nil || ef != 128 {
		t.Errorf("ef = %d, %v", ef, err)
	}
	for _, bad := range []string{"-1", "x", "100001"} {
		if _, err := ParseEf(bad); err == nil || !strings.Contains(err.Error(), "index default") {
			t.Errorf("ParseEf(%q) = %v", bad, err)
		}
	}
}

func TestParseInsert(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	id, v, err := ParseInsert("doc:1  0.5, 1, 2", 3, rng)
	if err != nil || id != "doc:1" || len(v) != 3 || v[2] != 2 {
		t.Fatalf("ParseInsert = %q %v %v", id, v, err)
	}
	id, v, err = ParseInsert("r1 random", 8, rng)
	if err != nil || id != "r1" || len(v) != 8 {
		t.Fatalf("random insert = %q %v %v", id, v, err)
	}
	for _, x := range v {
		if x < -1 || x >= 1 {
			t.Errorf("random value %v outside [-1, 1)", x)
		}
	}
	for in, wantErr := range map[string]string{
		"":         "type an id and its values",
		"lonely":   "type an id and its values",
		"a 1 2":    "has 2 values",
		"a random": "", // dims 0 below
		"a 1 x 3":  "not a number",
	} {
		dims := 3
		if in == "a random" {
			dims, wantErr = 0, "needs the index's dimensions"
		}
		if _, _, err := ParseInsert(in, dims, rng); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseInsert(%q) error = %v, want %q", in, err, wantErr)
		}
	}
	if _, _, err := ParseInsert(strings.Repeat("i", 513)+" 1 2 3", 3, rng); err == nil || !strings.Contains(err.Error(), "1..512") {
		t.Errorf("long id: %v", err)
	}
}

func TestParseCreate(t *testing.T) {
	s, err := ParseCreate("docs 128 cosine hnsw m=16 efc=200 ef=64")
	want := CreateSpec{Namespace: "docs", Dims: 128, Distance: client.DistanceCosine, Type: client.IndexHNSW,
		Opts: client.CreateVectorIndexOptions{M: 16, EfConstruction: 200, EfSearch: 64}}
	if err != nil || s != want {
		t.Fatalf("ParseCreate = %+v, %v", s, err)
	}
	s, err = ParseCreate("flat 4 l2 brute_force")
	if err != nil || s.Type != client.IndexBruteForce || s.Distance != client.DistanceEuclidean {
		t.Fatalf("brute force = %+v, %v", s, err)
	}
	if s, err := ParseCreate("ip 2 dot"); err != nil || s.Type != client.IndexHNSW || s.Distance != client.DistanceInnerProduct {
		t.Fatalf("default type = %+v, %v", s, err)
	}
	for in, wantErr := range map[string]string{
		"docs 128":                      "NAME DIMS DISTANCE",
		"docs 0 cosine":                 "from 1 to 4096",
		"docs 5000 cosine":              "from 1 to 4096",
		"docs x cosine":                 "from 1 to 4096",
		"docs 8 manhattan":              "unknown distance",
		"docs 8 cosine ivf":             "unknown index type",
		"docs 8 cosine m=0":             "m=",
		"docs 8 cosine q=3":             "unknown option",
		"docs 8 cosine brute_force m=4": "tune HNSW only",
	} {
		if _, err := ParseCreate(in); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseCreate(%q) error = %v, want %q", in, err, wantErr)
		}
	}
}

func TestFormatting(t *testing.T) {
	if got := FormatValues([]float32{0.1, -2, 3.25}); got != "0.1, -2, 3.25" {
		t.Errorf("FormatValues = %q", got)
	}
	if back, err := ParseVector(FormatValues([]float32{0.1, -2, 3.25}), 3); err != nil || back[0] != 0.1 {
		t.Errorf("FormatValues does not parse back: %v %v", back, err)
	}
	long := make([]float32, 100)
	if got := FormatVector(long, 20); len([]rune(got)) > 20 || !strings.HasSuffix(got, "…]") {
		t.Errorf("FormatVector cut = %q (%d runes)", got, len([]rune(got)))
	}
	if got := FormatVector([]float32{1, 0.5}, 40); got != "[1 0.5]" {
		t.Errorf("FormatVector = %q", got)
	}
	for n, want := range map[uint64]string{0: "0B", 1023: "1023B", 1024: "1.0KiB", 5 << 20: "5.0MiB", 3 << 30: "3.0GiB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestOverlap(t *testing.T) {
	ms := func(ids ...string) []client.VectorMatch {
		out := make([]client.VectorMatch, len(ids))
		for i, id := range ids {
			out[i] = client.VectorMatch{ID: id}
		}
		return out
	}
	if h, n := Overlap(ms("a", "b", "c", "d"), ms("a", "c", "e", "f")); h != 2 || n != 4 {
		t.Errorf("Overlap = %d/%d, want 2/4", h, n)
	}
	if h, n := Overlap(ms("a", "a"), ms("a", "b")); h != 1 || n != 2 {
		t.Errorf("duplicate ids counted twice: %d/%d", h, n)
	}
	if h, n := Overlap(nil, nil); h != 0 || n != 0 {
		t.Errorf("empty = %d/%d", h, n)
	}
}

func TestHistoryAndSparkline(t *testing.T) {
	var h history
	for i := 1; i <= HistoryLen+40; i++ {
		h.add(sample{rtt: time.Duration(i) * time.Millisecond, server: time.Duration(i) * time.Microsecond})
	}
	if h.len() != HistoryLen || h.samples[0].rtt != 41*time.Millisecond {
		t.Fatalf("history keeps %d samples from %v; want the last %d", h.len(), h.samples[0].rtt, HistoryLen)
	}
	// 41..100 ms: nearest-rank p50 is the 30th value, p99 the 60th.
	if p := h.percentile(50, pickRTT); p != 70*time.Millisecond {
		t.Errorf("p50 = %v, want 70ms", p)
	}
	if p := h.percentile(99, pickRTT); p != 100*time.Millisecond {
		t.Errorf("p99 = %v, want 100ms", p)
	}
	var empty *history
	if empty.len() != 0 {
		t.Error("nil history not empty")
	}
	if got := Sparkline([]float64{0, 1, 2, 4, 8}, 10); got != "▁▂▃▅█" {
		t.Errorf("Sparkline = %q", got)
	}
	if got := Sparkline([]float64{1, 2, 3, 4}, 2); got != "▆█" {
		t.Errorf("Sparkline keeps the last values: %q", got)
	}
	if Sparkline(nil, 5) != "" || Sparkline([]float64{1}, 0) != "" {
		t.Error("empty sparkline not empty")
	}
}
