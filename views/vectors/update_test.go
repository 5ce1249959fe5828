package vectors

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
	"github.com/norikv/norikv-console/ui/uitest"
)

func press(m *Model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "backspace":
			msg = tea.KeyMsg{Type: tea.KeyBackspace}
		case "right":
			msg = tea.KeyMsg{Type: tea.KeyRight}
		case "home":
			msg = tea.KeyMsg{Type: tea.KeyHome}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m.Update(msg)
	}
}

// msgsOf runs cmd and returns the messages it produces, batches flattened.
func msgsOf(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, msgsOf(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

func listed(w, h int) *Model {
	m := New(uitest.Common())
	m.SetSize(w, h)
	m.Update(common.TickMsg{At: t0})
	m.Update(listMsg{at: t0, indexes: sampleIndexes()})
	return m
}

func TestListSelectsAndMovesTheTarget(t *testing.T) {
	m := listed(80, 24)
	if m.Namespace() != "docs" {
		t.Fatalf("first listing selects %q, want docs", m.Namespace())
	}
	press(m, "down", "down", "down")
	if m.Namespace() != "images" {
		t.Fatalf("after three downs the target is %q, want images (clamped)", m.Namespace())
	}
	// A refresh keeps the selection, even when rows move.
	more := append([]client.VectorIndexInfo{{Namespace: "aaa", Dimensions: 2, Distance: client.DistanceEuclidean}}, sampleIndexes()...)
	m.Update(listMsg{at: t0.Add(5 * time.Second), indexes: more})
	if m.Namespace() != "images" || m.cursor != 3 {
		t.Fatalf("after refresh: target %q cursor %d, want images at 3", m.Namespace(), m.cursor)
	}
	m.SetFilter("doc")
	if m.cursor != 0 || len(m.visible()) != 2 {
		t.Fatalf("filter: cursor %d, %d visible", m.cursor, len(m.visible()))
	}
	press(m, "down")
	if m.Namespace() != "docs-exact" {
		t.Fatalf("filtered move selects %q", m.Namespace())
	}
	// A stale listing (an older request id) is dropped.
	m.listReq = 7
	m.Update(listMsg{reqID: 6, at: t0, indexes: nil})
	if len(m.Indexes()) != 4 {
		t.Fatal("stale listing replaced the newer one")
	}
	// Clicking a row selects it (rows start under the title and header).
	m.SetFilter("")
	m.Update(tea.MouseMsg{X: 3, Y: listTop + 1, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.Namespace() != "docs" {
		t.Fatalf("click on the second row selects %q", m.Namespace())
	}
}

func TestUnsupportedListingStillAllowsAManualNamespace(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	m.Update(listMsg{at: t0, err: fmt.Errorf("list vector indexes: %w", client.ErrUnsupported)})
	if v := m.View(); !strings.Contains(v, "this server has no vector listing (upstream NoriKV)") {
		t.Fatalf("unsupported listing not explained:\n%s", v)
	}
	press(m, "n")
	if !m.CapturingInput() || m.focus != fieldNS {
		t.Fatal("n did not focus the namespace field")
	}
	press(m, "d", "o", "c", "s", "tab")
	if m.Namespace() != "docs" || m.focus != fieldQuery {
		t.Fatalf("namespace %q focus %d", m.Namespace(), m.focus)
	}
	m.inputs[fieldQuery].SetValue("1 2 3 4 5")
	req, err := m.buildRequest()
	if err != nil || req.namespace != "docs" || len(req.query) != 5 {
		t.Fatalf("an unlisted namespace takes any count (the server checks dims): %+v %v", req, err)
	}
	// Without a client the search says so rather than hanging.
	press(m, "enter")
	if m.formErr == nil || !strings.Contains(m.formErr.Error(), "not connected") {
		t.Fatalf("search without a client: %v", m.formErr)
	}
	if v := m.View(); !strings.Contains(v, "not listed: dims unknown") {
		t.Errorf("form does not say the dims are unknown:\n%s", v)
	}
}

func TestFormValidationAndToggles(t *testing.T) {
	m := listed(100, 30)
	press(m, "enter")
	if !m.CapturingInput() || m.focus != fieldQuery {
		t.Fatal("enter did not focus the query")
	}
	press(m, "1", ",", "2", "enter")
	if m.formErr == nil || !strings.Contains(m.formErr.Error(), "the query has 2 values but the index has 3 dimensions") {
		t.Fatalf("wrong count: %v", m.formErr)
	}
	if v := m.View(); !strings.Contains(v, "type exactly 3 numbers") {
		t.Errorf("the error is not shown:\n%s", v)
	}
	press(m, "tab", "backspace", "backspace", "0", "enter")
	if m.formErr == nil || !strings.Contains(m.formErr.Error(), "k \"0\"") {
		t.Fatalf("k=0: %v", m.formErr)
	}
	press(m, "backspace", "5", "tab", "x", "enter")
	if m.formErr == nil || !strings.Contains(m.formErr.Error(), "ef \"x\"") {
		t.Fatalf("ef=x: %v", m.formErr)
	}
	press(m, "backspace", "esc")
	if m.CapturingInput() {
		t.Fatal("esc did not stop typing")
	}
	press(m, "c", "v", "m")
	if m.Consistency() != client.ConsistencyLinearizable || !m.vectors || m.mode != modeByID {
		t.Fatalf("toggles: %v vectors=%v mode=%v", m.Consistency(), m.vectors, m.mode)
	}
	press(m, "c", "c")
	if m.Consistency() != client.ConsistencyLease {
		t.Fatalf("consistency does not cycle back: %v", m.Consistency())
	}
	press(m, "s")
	if m.formErr == nil || !strings.Contains(m.formErr.Error(), "type the id") {
		t.Fatalf("by id without an id: %v", m.formErr)
	}
	m.idInput.SetValue("doc-17")
	req, err := m.buildRequest()
	if err != nil || req.byID != "doc-17" || req.k != 5 || req.ef != 0 || !req.vectors {
		t.Fatalf("by-id request %+v %v", req, err)
	}
	press(m, "m", "x")
	if got, err := ParseVector(m.inputs[fieldQuery].Value(), 3); err != nil || len(got) != 3 {
		t.Fatalf("x did not fill a random 3-dim query: %q %v", m.inputs[fieldQuery].Value(), err)
	}
}

func TestSearchRepliesRecordLatencyAndStaleOnesAreDropped(t *testing.T) {
	m := fed(80, 24)
	if m.Samples("docs") != 21 {
		t.Fatalf("samples = %d, want 21", m.Samples("docs"))
	}
	m.searchReq = 3
	m.Update(searchMsg{reqID: 2, req: searchRequest{namespace: "docs"}, res: &client.VectorSearchResult{}})
	if m.Samples("docs") != 21 || len(m.Result().Matches) != 10 {
		t.Fatal("a stale search reply was applied")
	}
	m.Update(searchMsg{reqID: 3, req: searchRequest{namespace: "docs"}, err: errors.New("search docs: norikv: vector search: NotFound: vector index docs not found")})
	if m.Samples("docs") != 21 {
		t.Fatal("a failed search added a latency sample")
	}
	if v := m.View(); !strings.Contains(v, "search failed: search docs") {
		t.Fatalf("failure not shown:\n%s", v)
	}
}

func TestWritesRespectReadOnly(t *testing.T) {
	c := uitest.Common()
	c.ReadOnly = true
	m := New(c)
	m.SetSize(80, 24)
	m.Update(listMsg{at: t0, indexes: sampleIndexes()})
	for _, k := range []string{"I", "X", "N", "D", "L"} {
		msgs := msgsOf(m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}))
		if len(msgs) != 1 {
			t.Fatalf("%s: %v", k, msgs)
		}
		r, ok := msgs[0].(common.OpResultMsg)
		if !ok || !errors.Is(r.Err, ops.ErrReadOnly) {
			t.Errorf("%s on a read-only profile: %#v", k, msgs[0])
		}
	}
	// The palette lists the writes disabled; their Run refuses too (the
	// action layer, below the UI).
	writes := 0
	for _, a := range m.Actions() {
		write := strings.HasPrefix(a.Title, "Insert") || strings.HasPrefix(a.Title, "Import") || strings.HasPrefix(a.Title, "Delete") ||
			strings.HasPrefix(a.Title, "Create") || strings.HasPrefix(a.Title, "Drop")
		if write {
			writes++
		}
		if write != errors.Is(a.Disabled, ops.ErrReadOnly) {
			t.Errorf("%s: disabled %v", a.Title, a.Disabled)
		}
		if !strings.HasPrefix(a.Title, "Drop") {
			continue
		}
		msgs := msgsOf(m.Update(msgsOf(a.Run(""))[0]))
		if r, ok := msgs[0].(common.OpResultMsg); !ok || !errors.Is(r.Err, ops.ErrReadOnly) {
			t.Errorf("drop action on a read-only profile: %#v", msgs)
		}
	}
	if writes != 5 {
		t.Errorf("%d write actions listed, want 5", writes)
	}
	for _, b := range m.FullHelp()[3] {
		if !common.IsReadOnlyHelp(b.Help().Desc) {
			t.Errorf("help for %s not marked off: %q", b.Help().Key, b.Help().Desc)
		}
	}
	// Below the UI: the write commands refuse on their own.
	k := DefaultKeyMap()
	for _, cmd := range []tea.Cmd{insertCmd(c, k, "docs", "a", []float32{1, 2, 3, 4}), deleteCmd(c, k, "docs", "a"), dropCmd(c, k, "docs")} {
		r, ok := msgsOf(cmd)[0].(opDoneMsg)
		if !ok || !errors.Is(r.res.Err, ops.ErrReadOnly) {
			t.Errorf("write command on a read-only profile: %#v", msgsOf(cmd))
		}
	}
}

func TestActions(t *testing.T) {
	m := fed(80, 24)
	byTitle := map[string]common.Action{}
	for _, a := range m.Actions() {
		byTitle[a.Title] = a
	}
	drop, ok := byTitle["Drop vector index docs"]
	if !ok || !strings.Contains(drop.Confirm, "its 1200 vectors? This cannot be undone") {
		t.Fatalf("drop action: %+v", drop)
	}
	if ins := byTitle["Insert vector into docs"]; !strings.Contains(ins.Prompt, "3 values") {
		t.Errorf("insert prompt %q does not give the dims", ins.Prompt)
	}
	if sim := byTitle["Find vectors similar to an id in docs"]; sim.Default != "doc-17" {
		t.Errorf("similar default %q, want the best match doc-17", sim.Default)
	}
	if ref := byTitle["Check recall of docs against another index"]; ref.Default != "docs-exact" {
		t.Errorf("recall reference default %q, want the brute_force index of the same shape", ref.Default)
	}
	for _, want := range []string{"Vector search in docs", "Check recall of docs", "Random vector search in docs", "Create vector index", "Refresh vector indexes", "Delete vector from docs"} {
		if _, ok := byTitle[want]; !ok {
			t.Errorf("no action %q", want)
		}
	}
	// A bad argument comes back as a clear error, not a network call.
	msgs := msgsOf(byTitle["Create vector index"].Run("docs 0 cosine"))
	if e, ok := msgs[0].(common.ErrorMsg); !ok || !strings.Contains(e.Err.Error(), "from 1 to 4096") {
		t.Errorf("bad create: %#v", msgs)
	}
	msgs = msgsOf(byTitle["Insert vector into docs"].Run("d1 1 2"))
	if e, ok := msgs[0].(common.ErrorMsg); !ok || !strings.Contains(e.Err.Error(), "has 2 values") {
		t.Errorf("bad insert: %#v", msgs)
	}
	// A finished write goes to the status line and refreshes the list.
	done := opDoneMsg{res: common.OpResultMsg{Op: "create index new", Info: "created"}, selectNS: "new"}
	msgs = msgsOf(m.Update(done))
	if len(msgs) != 1 || msgs[0].(common.OpResultMsg).Info != "created" || m.Namespace() != "new" {
		t.Errorf("op done: %#v, target %q", msgs, m.Namespace())
	}
}

func TestEmptyAndNoIndexViews(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	if v := m.View(); !strings.Contains(v, "not connected") || !strings.Contains(v, "no search yet") {
		t.Errorf("empty pane:\n%s", v)
	}
	m.Update(listMsg{at: t0})
	if v := m.View(); !strings.Contains(v, "no vector index yet: N creates one") {
		t.Errorf("no index:\n%s", v)
	}
	if msgs := msgsOf(m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("D")})); len(msgs) != 1 {
		t.Fatalf("drop without an index: %v", msgs)
	} else if e, ok := msgs[0].(common.ErrorMsg); !ok || !errors.Is(e.Err, errNoNamespace) {
		t.Errorf("drop without an index: %#v", msgs[0])
	}
}

func TestPasteGoesToTheQueryAndKeysRebind(t *testing.T) {
	m := listed(80, 24)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("[0.5, 1, 2]"), Paste: true})
	if !m.CapturingInput() || m.focus != fieldQuery || m.inputs[fieldQuery].Value() != "[0.5, 1, 2]" {
		t.Fatalf("paste: focus %d value %q", m.focus, m.inputs[fieldQuery].Value())
	}
	if req, err := m.buildRequest(); err != nil || len(req.query) != 3 || req.query[2] != 2 {
		t.Fatalf("pasted JSON array: %+v %v", req, err)
	}
	// Shortcuts typed into a field are text, not commands.
	press(m, "D")
	if !strings.HasSuffix(m.inputs[fieldQuery].Value(), "D") {
		t.Fatalf("D while typing: %q", m.inputs[fieldQuery].Value())
	}

	err := keybindings.Rebind(map[string]keybindings.Named{"vectors": m.Keys()}, map[string][]string{"vectors.sweep": {"W"}})
	if err != nil || m.Keys().Sweep.Keys()[0] != "W" {
		t.Fatalf("rebind: %v %v", err, m.Keys().Sweep.Keys())
	}
	for name, b := range DefaultKeyMap().Named() {
		if len(b.Keys()) == 0 || b.Help().Desc == "" {
			t.Errorf("binding %s has no key or no help", name)
		}
	}
}

func TestClickOnAScrolledList(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 16) // room for two index rows
	var many []client.VectorIndexInfo
	for i := 0; i < 6; i++ {
		many = append(many, client.VectorIndexInfo{Namespace: fmt.Sprintf("ns%d", i), Dimensions: 4, Distance: client.DistanceCosine})
	}
	m.Update(listMsg{at: t0, indexes: many})
	press(m, "down", "down", "down")
	if m.listRows() != 2 || m.listFirst() != 2 {
		t.Fatalf("rows %d first %d", m.listRows(), m.listFirst())
	}
	m.Update(tea.MouseMsg{X: 3, Y: listTop, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.Namespace() != "ns2" {
		t.Fatalf("click on the first row shown selects %q, want ns2", m.Namespace())
	}
}

func TestRefreshKeepsATypedNamespaceAndReplacesAVanishedPick(t *testing.T) {
	m := listed(80, 24)
	press(m, "n", "right", "2", "esc") // → keeps the picked name for editing
	m.Update(listMsg{at: t0, indexes: sampleIndexes()})
	if m.Namespace() != "docs2" {
		t.Fatalf("a typed namespace was replaced by %q", m.Namespace())
	}
	press(m, "down")
	m.Update(listMsg{at: t0, indexes: sampleIndexes()[1:]})
	if m.Namespace() != "docs-exact" {
		t.Fatalf("picked %q", m.Namespace())
	}
	m.Update(listMsg{at: t0, indexes: sampleIndexes()[2:]})
	if m.Namespace() != "images" {
		t.Fatalf("a picked index that vanished left the target at %q, want the first listed", m.Namespace())
	}
}

func TestResultsPageAndErrorHints(t *testing.T) {
	m := fed(80, 24)
	if v := m.View(); !strings.Contains(v, "… 3 more (pgdn)") {
		t.Fatalf("10 matches in 8 rows:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyPgDown})
	v := m.View()
	if strings.Contains(v, "    1 doc-17") || !strings.Contains(v, "   10 doc-44") {
		t.Fatalf("pgdn did not show the last page:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyPgUp})
	if v := m.View(); !strings.Contains(v, "    1 doc-17") {
		t.Fatalf("pgup did not go back:\n%s", v)
	}
	for err, hint := range map[error]string{
		fmt.Errorf("search nope: %w", client.ErrKeyNotFound): `no index "nope"`,
		fmt.Errorf("search nope: %w", client.ErrUnsupported): "does not implement vector search",
	} {
		m.Update(searchMsg{req: searchRequest{namespace: "nope"}, err: err})
		if v := m.View(); !strings.Contains(v, hint) {
			t.Errorf("%v: no hint %q:\n%s", err, hint, v)
		}
	}
}
