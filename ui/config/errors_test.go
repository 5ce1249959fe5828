package config

import (
	"strings"
	"testing"
)

// TestErrorsInUserWordsAtTheRightLine: yaml.v3 speaks Go and puts parser
// errors a line early; the config reports settings by name at their line.
func TestErrorsInUserWordsAtTheRightLine(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"misspelt setting", "theme: dark\nthemee: light\n", "line 2: unknown setting `themee`, did you mean `theme`?"},
		{"misspelt profile setting", "profiles:\n  local:\n    nodes: [127.0.0.1:7447]\n    timout: 5s\n", "line 4: unknown setting `timout` in a profile, did you mean `timeout`?"},
		{"unknown setting", "colour_scheme: x\n", "line 1: unknown setting `colour_scheme` (settings: default_profile, theme, refresh, profiles, keys)"},
		{"unclosed list", "theme: dark\nprofiles:\n  local:\n    nodes: [127.0.0.1:1\n    total_shards: 3\n", "line 4: YAML syntax: did not find expected ',' or ']'"},
		{"unclosed map", "theme: dark\nprofiles: {local: {}\nkeys: {}\n", "line 2: YAML syntax: did not find expected ',' or '}'"},
		{"bad indent", "theme: dark\nprofiles:\n  local:\n    nodes: [127.0.0.1:1]\n   read_only: true\n", "line 3: YAML syntax: did not find expected key in the section starting here"},
		{"tab", "theme: dark\n\tprofiles: {}\n", "line 2: YAML syntax: found a tab character"},
		{"number", "profiles:\n  local:\n    total_shards: many\n", "line 3: profiles.local.total_shards: `many` is not a whole number"},
		{"list", "profiles:\n  local:\n    nodes: 127.0.0.1:1\n", "line 3: profiles.local.nodes: `127.0.0"},
		{"bool", "profiles:\n  local:\n    read_only: maybe\n", "line 3: profiles.local.read_only: `maybe` is not true or false"},
		{"not a mapping", "- a\n- b\n", "line 1: a list is not a section"},
		{"bad key name", "keys:\n  quit: [q, zz+]\n", "line 2: keys.quit: unknown key \"zz+\""},
		{"key alias", "keys:\n  back:\n    - escape\n", "line 3: keys.back: unknown key \"escape\": write esc"},
		{"key case", "keys:\n  page-down: [PgDown]\n", "write \"pgdown\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, c.want)
			}
			for _, goWord := range []string{"config.", "!!", "[]string", "unmarshal", "type "} {
				if strings.Contains(err.Error(), goWord) {
					t.Fatalf("err %q speaks Go (%q)", err, goWord)
				}
			}
		})
	}
}

func TestKeyNames(t *testing.T) {
	for _, k := range []string{"q", "T", "?", "/", " ", "ctrl+w", "alt+x", "alt+enter", "shift+tab", "pgdown", "f5", "esc", "é"} {
		if err := CheckKeyName(k); err != nil {
			t.Errorf("%q rejected: %v", k, err)
		}
	}
	for _, k := range []string{"", "zz", "zz+", "ctrl+", "alt+", "space", "Enter", "ctrl+shift+q", "\x01"} {
		if CheckKeyName(k) == nil {
			t.Errorf("%q accepted", k)
		}
	}
}

// FuzzParseConfig: no input makes the parser panic, and an accepted file
// has only valid key names.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{good, "theme: dark\nthemee: x\n", "profiles:\n  a:\n    nodes: [b\n", "keys:\n  quit: [zz+]\n", "- a\n", "{", "profiles: {a: {tls: {cert_file: x}}}", "keys: {quit: []}", "a: &x 1\nb: *x\n", "? [a]\n: b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for action, keys := range file.Keys {
			for _, k := range keys {
				if CheckKeyName(k) != nil {
					t.Fatalf("accepted bad key %q for %s", k, action)
				}
			}
		}
	})
}
