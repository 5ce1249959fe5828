// Package config loads the console's config file
// ($XDG_CONFIG_HOME/norikv-console/config.yaml): named cluster profiles, a
// default profile, a theme and key rebindings. Every error names the line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/norikv/norikv-console/themes"
)

// File is the parsed config file.
type File struct {
	// DefaultProfile is used when --profile is not given.
	DefaultProfile string `yaml:"default_profile"`
	// Theme applies to every profile that sets none.
	Theme string `yaml:"theme"`
	// Refresh is how often live data updates: 500ms, 1s (default) or 5s.
	Refresh Duration `yaml:"refresh"`
	// Profiles are named clusters.
	Profiles map[string]Profile `yaml:"profiles"`
	// Keys rebinds actions: "quit: [q, ctrl+c]", "cluster.transfer: [T]".
	Keys map[string][]string `yaml:"keys"`

	// Path is where the file was read from ("" when there was none).
	Path string `yaml:"-"`

	root *yaml.Node
}

// Profile describes one cluster.
type Profile struct {
	Nodes       []string `yaml:"nodes"`
	TotalShards int      `yaml:"total_shards"`
	Timeout     Duration `yaml:"timeout"`
	ReadOnly    bool     `yaml:"read_only"`
	Theme       string   `yaml:"theme"`
	TLS         *TLS     `yaml:"tls"`
}

// TLS configures transport security for a profile.
type TLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Duration is a time.Duration written like "5s" or "250ms".
type Duration struct{ time.Duration }

// UnmarshalYAML parses a duration, naming the line when it is wrong.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: timeout %q is not a duration: write e.g. 5s or 750ms", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// DefaultPath returns $XDG_CONFIG_HOME/norikv-console/config.yaml, falling
// back to ~/.config when XDG_CONFIG_HOME is unset.
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the config directory: set XDG_CONFIG_HOME or HOME: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "norikv-console", "config.yaml"), nil
}

// Load reads the config file at path. A missing file is not an error: it
// yields an empty File.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

// Parse parses and validates config file contents.
func Parse(data []byte) (*File, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return &File{}, nil
		}
		return nil, syntaxError(err)
	}
	var f File
	dec = yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, decodeError(err, &root)
	}
	if err := f.validate(&root); err != nil {
		return nil, err
	}
	f.root = &root
	return &f, nil
}

func (f *File) validate(root *yaml.Node) error {
	if d := f.Refresh.Duration; d != 0 && d != 500*time.Millisecond && d != time.Second && d != 5*time.Second {
		return fmt.Errorf("line %d: refresh %s: use 500ms, 1s or 5s", lineOf(root, "refresh"), d)
	}
	if f.Theme != "" {
		if _, err := themes.ByName(f.Theme); err != nil {
			return fmt.Errorf("line %d: %w", lineOf(root, "theme"), err)
		}
	}
	for _, name := range f.ProfileNames() {
		p := f.Profiles[name]
		at := func(field string) int { return lineOf(root, "profiles", name, field) }
		if p.Theme != "" {
			if _, err := themes.ByName(p.Theme); err != nil {
				return fmt.Errorf("line %d: profile %q: %w", at("theme"), name, err)
			}
		}
		if p.TotalShards < 0 || p.TotalShards > 1<<20 {
			return fmt.Errorf("line %d: profile %q: total_shards must be 1..1048576, got %d", at("total_shards"), name, p.TotalShards)
		}
		for i, n := range p.Nodes {
			if err := CheckAddr(n); err != nil {
				return fmt.Errorf("line %d: profile %q: nodes[%d]: %w", lineOfItem(root, i, "profiles", name, "nodes"), name, i, err)
			}
		}
		if p.TLS != nil && (p.TLS.CertFile == "") != (p.TLS.KeyFile == "") {
			return fmt.Errorf("line %d: profile %q: tls needs both cert_file and key_file, or neither", at("tls"), name)
		}
	}
	if f.DefaultProfile != "" {
		if _, ok := f.Profiles[f.DefaultProfile]; !ok {
			return fmt.Errorf("line %d: default_profile %q is not a profile (profiles: %s)", lineOf(root, "default_profile"), f.DefaultProfile, listOrNone(f.ProfileNames()))
		}
	}
	actions := make([]string, 0, len(f.Keys))
	for action := range f.Keys {
		actions = append(actions, action)
	}
	sort.Strings(actions)
	for _, action := range actions {
		keys := f.Keys[action]
		if len(keys) == 0 {
			return fmt.Errorf("line %d: keys.%s: give at least one key", lineOf(root, "keys", action), action)
		}
		for i, k := range keys {
			if err := CheckKeyName(k); err != nil {
				return fmt.Errorf("line %d: keys.%s: %w", lineOfItem(root, i, "keys", action), action, err)
			}
		}
	}
	return nil
}

// KeyLine returns the line of a key rebinding (0 when unknown), for errors
// found when the keys are applied.
func (f *File) KeyLine(action string) int {
	if f.root == nil {
		return 0
	}
	return lineOf(f.root, "keys", action)
}

// ProfileNames lists the profiles, sorted.
func (f *File) ProfileNames() []string {
	out := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// CheckAddr checks a host:port node address.
func CheckAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Errorf("%q is not host:port (e.g. 127.0.0.1:7447)", addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("%q: port must be 1..65535", addr)
	}
	return nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none defined"
	}
	return strings.Join(names, ", ")
}

// lineOf finds the line of the value at a path of mapping keys; it falls
// back to the deepest line found.
func lineOf(root *yaml.Node, path ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, k := range path {
		next := (*yaml.Node)(nil)
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
					line = n.Content[i].Line
					break
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// lineOfItem finds the line of item i of the sequence at path.
func lineOfItem(root *yaml.Node, i int, path ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range path {
		found := false
		if n.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == k {
					n, found = n.Content[j+1], true
					break
				}
			}
		}
		if !found {
			return lineOf(root, path...)
		}
	}
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i].Line
	}
	return n.Line
}
