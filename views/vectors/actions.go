package vectors

import (
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// errNoNamespace is returned by actions that need an index selected.
var errNoNamespace = errors.New("no vector index selected: pick one with ↑/↓ or press n to type a namespace")

// Actions implements common.Pane: searches and writes on the selected index,
// and creating an index.
func (m *Model) Actions() []common.Action {
	var out []common.Action
	add := func(a common.Action, err error) {
		if err == nil {
			out = append(out, a)
		}
	}
	if ns := m.selected(); ns != "" {
		out = append(out,
			common.Action{Title: "Vector search in " + ns, Help: "run the query typed in the vectors pane", Keys: m.keys.Search.Help().Key,
				Run: func(string) tea.Cmd { return m.reportFormErr(m.search(plainSearch, "")) }},
			common.Action{Title: "Check recall of " + ns,
				Help: "compare the query's results with an exact scan of the index (server-side, when the server supports it)",
				Keys: m.keys.Recall.Help().Key,
				Run:  func(string) tea.Cmd { return m.reportFormErr(m.search(recallCheck, "")) }},
		)
		out = append(out, common.Action{Title: "Sweep ef for " + ns, Keys: m.keys.Sweep.Help().Key,
			Help: "run the query at several ef values: recall against an exact scan and latency of each",
			Run:  func(string) tea.Cmd { return m.reportFormErr(m.search(efSweep, "")) }})
		add(m.recallAgainstAction())
		if _, listed := m.index(ns); listed {
			out = append(out, common.Action{Title: "Random vector search in " + ns, Help: "search with random values", Keys: m.keys.Random.Help().Key,
				Run: func(string) tea.Cmd { return m.reportFormErr(m.randomSearch()) }})
		}
	}
	add(m.similarAction())
	// Writes are listed on read-only profiles too, disabled (dimmed, refused
	// without a prompt).
	addWrite := func(a common.Action, err error) { add(m.common.WriteAction(a), err) }
	addWrite(m.insertAction())
	addWrite(m.importAction())
	addWrite(m.deleteAction())
	addWrite(m.dropAction())
	addWrite(m.createAction())
	out = append(out, common.Action{Title: "Refresh vector indexes", Help: "list the cluster's vector indexes again", Keys: m.keys.Refresh.Help().Key,
		Run: func(string) tea.Cmd { return m.refresh() }})
	return out
}

// selected returns the namespace the form targets, trimmed.
func (m *Model) selected() string { return strings.TrimSpace(m.Namespace()) }

// reportFormErr passes a form error to the status line too (the palette
// hides the pane while it is open).
func (m *Model) reportFormErr(cmd tea.Cmd) tea.Cmd {
	if m.formErr != nil {
		return common.MsgCmd(common.ErrorMsg{Err: m.formErr})
	}
	return cmd
}

func (m *Model) recallAgainstAction() (common.Action, error) {
	ns := m.selected()
	if ns == "" {
		return common.Action{}, errNoNamespace
	}
	def := ""
	if ix, ok := m.index(ns); ok {
		for _, o := range m.indexes {
			if o.Namespace != ns && o.IndexType == client.IndexBruteForce && o.Dimensions == ix.Dimensions && o.Distance == ix.Distance {
				def = o.Namespace
				break
			}
		}
	}
	return common.Action{
		Title:   "Check recall of " + ns + " against another index",
		Help:    "compare with an exact scan of another index holding the same vectors",
		Prompt:  "reference index (same vectors)",
		Default: def,
		Run: func(arg string) tea.Cmd {
			ref := strings.TrimSpace(arg)
			if ref == "" {
				return common.MsgCmd(common.ErrorMsg{Err: errors.New("type the namespace of a brute_force index holding the same vectors")})
			}
			return m.reportFormErr(m.search(recallCheck, ref))
		},
	}, nil
}

// similarAction searches with the stored vector of an id, offering the
// best match of the last search that is not the query itself.
func (m *Model) similarAction() (common.Action, error) {
	ns := m.selected()
	if ns == "" {
		return common.Action{}, errNoNamespace
	}
	def := ""
	if r := m.result; r != nil && r.res != nil && r.req.namespace == ns {
		for _, mt := range r.res.Matches {
			if mt.ID != r.req.byID {
				def = mt.ID
				break
			}
		}
	}
	return common.Action{
		Title: "Find vectors similar to an id in " + ns, Help: "search with the stored vector of an id (VectorGet, then search)",
		Keys: m.keys.Similar.Help().Key, Prompt: "vector id", Default: def,
		Run: func(arg string) tea.Cmd {
			m.idInput.SetValue(strings.TrimSpace(arg))
			m.mode = modeByID
			return m.reportFormErr(m.search(plainSearch, ""))
		},
	}, nil
}

func (m *Model) insertAction() (common.Action, error) {
	ns := m.selected()
	if ns == "" {
		return common.Action{}, errNoNamespace
	}
	dims := 0
	prompt := "id and values, e.g. doc-1 0.1 0.2 0.3"
	if ix, ok := m.index(ns); ok {
		dims = ix.Dimensions
		prompt = fmt.Sprintf("id and %d values, or \"ID random\"", dims)
	}
	prompt += ", or \"ID query\" (the vector typed in the pane)"
	c, rng := m.common, m.rng
	return common.Action{
		Title: "Insert vector into " + ns, Help: "upsert one vector (typed or random)", Keys: m.keys.Insert.Help().Key,
		Prompt: prompt,
		Run: func(arg string) tea.Cmd {
			if id, rest, ok := strings.Cut(strings.TrimSpace(arg), " "); ok && strings.EqualFold(strings.TrimSpace(rest), "query") {
				arg = id + " " + m.inputs[fieldQuery].Value()
			}
			id, v, err := ParseInsert(arg, dims, rng)
			if err != nil {
				return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("insert vector into %s: %w", ns, err)})
			}
			return m.track(insertOp(ns, id), insertCmd(c, m.keys, ns, id, v))
		},
	}, nil
}

func (m *Model) deleteAction() (common.Action, error) {
	ns := m.selected()
	if ns == "" {
		return common.Action{}, errNoNamespace
	}
	c := m.common
	return common.Action{
		Title: "Delete vector from " + ns, Help: "delete one vector by id", Keys: m.keys.Delete.Help().Key,
		Prompt: "vector id", Confirm: "Delete vector %s from " + ns + "?",
		Run: func(arg string) tea.Cmd {
			id := strings.TrimSpace(arg)
			if id == "" {
				return common.MsgCmd(common.ErrorMsg{Err: errors.New("delete vector: type the id to delete")})
			}
			return m.track(deleteOp(ns, id), deleteCmd(c, m.keys, ns, id))
		},
	}, nil
}

func (m *Model) createAction() (common.Action, error) {
	c := m.common
	return common.Action{
		Title: "Create vector index", Help: "NAME DIMS DISTANCE [hnsw|brute_force] [m= efc= ef=]", Keys: m.keys.Create.Help().Key,
		Prompt:  "NAME DIMS euclidean|cosine|inner_product [hnsw|brute_force] [m=16 efc=200 ef=64]",
		Confirm: "Create index %s?",
		Run: func(arg string) tea.Cmd {
			spec, err := ParseCreate(arg)
			if err != nil {
				return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("create index: %w", err)})
			}
			return m.track(createOp(spec), createCmd(c, m.keys, spec))
		},
	}, nil
}

func (m *Model) dropAction() (common.Action, error) {
	ns := m.selected()
	if ns == "" {
		return common.Action{}, errNoNamespace
	}
	what := "Drop index " + ns + " and all its vectors? This cannot be undone."
	if ix, ok := m.index(ns); ok {
		what = fmt.Sprintf("Drop index %s and its %d vectors? This cannot be undone.", ns, ix.Count)
	}
	c := m.common
	return common.Action{
		Title: "Drop vector index " + ns, Help: "delete the index and every vector in it", Keys: m.keys.Drop.Help().Key,
		Confirm: what,
		Run:     func(string) tea.Cmd { return m.track(dropOp(ns), dropCmd(c, m.keys, ns)) },
	}, nil
}

// importAction loads a file of vectors into the selected index.
func (m *Model) importAction() (common.Action, error) {
	ns := m.selected()
	if ns == "" {
		return common.Action{}, errNoNamespace
	}
	dims := 0
	if ix, ok := m.index(ns); ok {
		dims = ix.Dimensions
	}
	c := m.common
	return common.Action{
		Title: "Import vectors into " + ns + " from a file", Keys: m.keys.Import.Help().Key,
		Help:   "upsert every vector of a JSON-lines file ({\"id\": ..., \"vector\": [...]}) or an id,v1,v2,... file",
		Prompt: "path of a .jsonl or .csv file",
		Run: func(arg string) tea.Cmd {
			path := strings.TrimSpace(arg)
			if path == "" {
				return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("import into %s: give the path of a file", ns)})
			}
			return m.track(importOp(ns, path), importCmd(c, m.keys, ns, path, dims))
		},
	}, nil
}
