package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/views/cluster"
	"github.com/norikv/norikv-console/views/events"
	"github.com/norikv/norikv-console/views/keys"
	"github.com/norikv/norikv-console/views/stats"
	"github.com/norikv/norikv-console/views/trace"
	"github.com/norikv/norikv-console/views/ttl"
	"github.com/norikv/norikv-console/views/vectors"
)

// defaultScopes returns fresh default key maps by scope ("" is global).
func defaultScopes() map[string]keybindings.Named {
	return map[string]keybindings.Named{"": keybindings.DefaultKeyMap(), "cluster": cluster.DefaultKeyMap(),
		"events": events.DefaultKeyMap(), "stats": stats.DefaultKeyMap(), "trace": trace.DefaultKeyMap(), "keys": keys.DefaultKeyMap(),
		"vectors": vectors.DefaultKeyMap(), "ttl": ttl.DefaultKeyMap()}
}

// CheckKeys validates key overrides against the default key maps: each
// names a known action, and once all are applied no overridden key is also
// bound to another action in the same pane or to a global key (the global
// key would win, or the pane's key would never be reached). It returns the
// first bad entry's name with its error.
func CheckKeys(overrides map[string][]string) (string, error) {
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := keybindings.Rebind(defaultScopes(), map[string][]string{n: overrides[n]}); err != nil {
			return n, err
		}
	}
	scopes := defaultScopes()
	if err := keybindings.Rebind(scopes, overrides); err != nil {
		return "", err
	}
	for _, n := range names {
		if err := clash(scopes, n); err != nil {
			return n, err
		}
	}
	return "", nil
}

// clash checks the keys of the overridden binding full ("pane.action" or
// "action") against the other bindings of its scope and the global ones
// (for a global binding: every scope).
func clash(scopes map[string]keybindings.Named, full string) error {
	scope, action := "", full
	if i := strings.LastIndex(full, "."); i >= 0 {
		scope, action = full[:i], full[i+1:]
	}
	mine := scopes[scope].Named()[action]
	others := bindingsOf(scopes, scope)
	if scope == "" {
		for s := range scopes {
			if s != "" {
				for n, b := range bindingsOf(scopes, s) {
					others[n] = b
				}
			}
		}
	}
	delete(others, full)
	otherNames := make([]string, 0, len(others))
	for n := range others {
		otherNames = append(otherNames, n)
	}
	sort.Strings(otherNames)
	for _, k := range mine.Keys() {
		for _, n := range otherNames {
			for _, ok := range others[n].Keys() {
				if ok == k {
					return fmt.Errorf("key binding %q: %q is already bound to %s (%s); pick another key or rebind that one too", full, k, n, others[n].Help().Desc)
				}
			}
		}
	}
	return nil
}

// bindingsOf returns the bindings of scope and the global ones, by full
// name; the go-to-pane digits and the message log key count as global.
func bindingsOf(scopes map[string]keybindings.Named, scope string) map[string]*key.Binding {
	out := map[string]*key.Binding{}
	for n, b := range scopes[""].Named() {
		out[n] = b
	}
	if g, ok := scopes[""].(*keybindings.KeyMap); ok {
		out["go-to-pane"] = &g.GotoTab
	}
	lb := logBinding()
	out["message-log"] = &lb
	if scope != "" {
		for n, b := range scopes[scope].Named() {
			out[scope+"."+n] = b
		}
	}
	return out
}
