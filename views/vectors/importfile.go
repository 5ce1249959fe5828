package vectors

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/norikv/norikv-console/client"
)

// Import limits: a file holds at most MaxImportItems vectors, one per line
// of at most maxImportLine bytes (4096 dimensions of long floats fit).
const (
	MaxImportItems = 200_000
	maxImportLine  = 1 << 20
)

// ReadVectorFile reads vectors to import from path, one per line, as JSON
// lines ({"id": "doc-1", "vector": [0.1, 0.2]}) or delimited text
// (doc-1,0.1,0.2 with commas, tabs or spaces). Blank lines and lines
// starting with # are skipped, and so is a first line that is a header
// (its second field is not a number). Every vector must have dims values
// (when dims > 0; else as many as the first one) of finite numbers. Errors
// name the file and line.
func ReadVectorFile(path string, dims int) ([]client.VectorItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open the vector file: %w", err)
	}
	defer f.Close()
	items, err := readVectors(f, dims)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return items, nil
}

func readVectors(r io.Reader, dims int) ([]client.VectorItem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	var items []client.VectorItem
	seen := map[string]int{}
	line := 0
	header := false // a header line was skipped
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		var it client.VectorItem
		var err error
		if strings.HasPrefix(text, "{") {
			it, err = parseJSONLine(text)
		} else {
			it, err = parseDelimited(text)
			if err != nil && len(items) == 0 && !header && isHeader(text) {
				header = true
				continue
			}
		}
		if err == nil {
			err = checkItem(&it, &dims, seen, line)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(items) == MaxImportItems {
			return nil, fmt.Errorf("line %d: more than %d vectors: split the file", line, MaxImportItems)
		}
		seen[it.ID] = line
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than %d bytes", line+1, maxImportLine)
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(items) == 0 {
		return nil, errors.New("no vectors in the file: write one per line, as JSON lines {\"id\": \"a\", \"vector\": [0.1, 0.2]} or as id,0.1,0.2")
	}
	return items, nil
}

// isHeader reports whether a delimited line looks like a header: its
// second field is not a number.
func isHeader(text string) bool {
	f := splitFields(text)
	if len(f) < 2 {
		return false
	}
	_, err := strconv.ParseFloat(f[1], 64)
	return err != nil
}

func splitFields(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\t' || r == ' ' || r == ';' })
}

func parseJSONLine(text string) (client.VectorItem, error) {
	var rec struct {
		ID     *string    `json:"id"`
		Vector []*float64 `json:"vector"`
	}
	if err := json.Unmarshal([]byte(text), &rec); err != nil {
		return client.VectorItem{}, fmt.Errorf("not a JSON object {\"id\": ..., \"vector\": [...]}: %v", err)
	}
	if rec.ID == nil {
		return client.VectorItem{}, errors.New(`no "id" field`)
	}
	it := client.VectorItem{ID: *rec.ID, Vector: make([]float32, len(rec.Vector))}
	for i, v := range rec.Vector {
		if v == nil {
			return client.VectorItem{}, fmt.Errorf("value %d is null", i+1)
		}
		it.Vector[i] = float32(*v)
	}
	return it, nil
}

func parseDelimited(text string) (client.VectorItem, error) {
	f := splitFields(text)
	if len(f) < 2 {
		return client.VectorItem{}, errors.New("want an id and at least one value, e.g. doc-1,0.1,0.2")
	}
	it := client.VectorItem{ID: f[0], Vector: make([]float32, len(f)-1)}
	for i, s := range f[1:] {
		v, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return client.VectorItem{}, fmt.Errorf("value %d %q is not a number", i+1, s)
		}
		it.Vector[i] = float32(v)
	}
	return it, nil
}

// checkItem validates one vector; dims is fixed by the first vector when 0.
func checkItem(it *client.VectorItem, dims *int, seen map[string]int, line int) error {
	switch {
	case it.ID == "":
		return errors.New("the id is empty")
	case len(it.ID) > 512:
		return fmt.Errorf("the id is %d bytes, over the 512-byte limit", len(it.ID))
	case len(it.Vector) == 0:
		return errors.New("the vector is empty")
	}
	if prev, dup := seen[it.ID]; dup {
		return fmt.Errorf("id %q was already on line %d", it.ID, prev)
	}
	if *dims == 0 {
		*dims = len(it.Vector)
	}
	if len(it.Vector) != *dims {
		return fmt.Errorf("%d values, want %d (the index's dimensions)", len(it.Vector), *dims)
	}
	for i, v := range it.Vector {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("value %d is not finite (NaN or Inf, or too large for float32)", i+1)
		}
	}
	return nil
}
