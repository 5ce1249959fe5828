package keys

import (
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// DefaultTreeDelimiter splits keys into the key tree's prefixes.
const DefaultTreeDelimiter = ":"

// DefaultTreeMaxKeys bounds the scans the key tree is built from: a tree
// of more keys counts the first ones and says so.
const DefaultTreeMaxKeys = 20000

// treeNode is a prefix of the key tree (keys up to and including a
// delimiter) with the keys and bytes under it.
type treeNode struct {
	label    string // this level's part, delimiter included ("user:")
	prefix   string // the whole prefix ("app:user:")
	keys     int
	size     uint64
	children []*treeNode
	leaves   []client.KeyEntry // keys with no delimiter after the prefix
}

// buildTree groups entries (all starting with prefix) by delim after
// prefix.
func buildTree(entries []client.KeyEntry, prefix, delim string) *treeNode {
	root := &treeNode{prefix: prefix}
	index := map[string]*treeNode{prefix: root}
	for _, e := range entries {
		k := string(e.Key)
		rest := strings.TrimPrefix(k, prefix)
		n := root
		n.keys++
		n.size += e.Size
		for delim != "" {
			i := strings.Index(rest, delim)
			if i < 0 {
				break
			}
			label := rest[:i+len(delim)]
			p := n.prefix + label
			c := index[p]
			if c == nil {
				c = &treeNode{label: label, prefix: p}
				index[p] = c
				n.children = append(n.children, c)
			}
			c.keys++
			c.size += e.Size
			n, rest = c, rest[i+len(delim):]
		}
		n.leaves = append(n.leaves, e)
	}
	var sortNode func(n *treeNode)
	sortNode = func(n *treeNode) {
		sort.Slice(n.children, func(i, j int) bool { return n.children[i].label < n.children[j].label })
		for _, c := range n.children {
			sortNode(c)
		}
	}
	sortNode(root)
	return root
}

// treeRow is one row of the tree as shown: a prefix or a key.
type treeRow struct {
	node  *treeNode
	entry *client.KeyEntry
	depth int
}

// flatten lists the rows shown: each prefix, and what is under the open
// ones (prefixes first, then keys).
func flatten(root *treeNode, open map[string]bool) []treeRow {
	var out []treeRow
	var walk func(n *treeNode, depth int)
	walk = func(n *treeNode, depth int) {
		for _, c := range n.children {
			out = append(out, treeRow{node: c, depth: depth})
			if open[c.prefix] {
				walk(c, depth+1)
			}
		}
		for i := range n.leaves {
			out = append(out, treeRow{entry: &n.leaves[i], depth: depth})
		}
	}
	walk(root, 0)
	return out
}

// treeMsg is a finished tree scan.
type treeMsg struct {
	reqID     int
	at        time.Time
	latency   time.Duration
	root      *treeNode
	truncated bool
	err       error
}

// treeScanCmd scans up to limit keys under prefix, page after page, and
// groups them by delim (in the command: Update only swaps the tree in).
func treeScanCmd(c common.Common, reqID int, prefix []byte, delim string, limit int, level client.ConsistencyLevel) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		var entries []client.KeyEntry
		var cursor []byte
		truncated := false
		for {
			ctx, cancel := c.Context()
			res, err := c.Backend().Scan(ctx, &client.ScanOptions{Prefix: prefix, Cursor: cursor,
				Limit: min(client.MaxScanLimit, limit-len(entries)), Consistency: level})
			cancel()
			if err != nil {
				return treeMsg{reqID: reqID, at: time.Now(), err: fmt.Errorf("key tree: list keys: %w", err)}
			}
			entries = append(entries, res.Entries...)
			if res.Done || len(res.NextCursor) == 0 {
				break
			}
			if len(entries) >= limit {
				truncated = true
				break
			}
			cursor = res.NextCursor
		}
		return treeMsg{reqID: reqID, at: time.Now(), latency: time.Since(start),
			root: buildTree(entries, string(prefix), delim), truncated: truncated}
	}
}
