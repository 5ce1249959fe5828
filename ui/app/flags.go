// Package app bootstraps the console: flags and config file into settings,
// the client (and the embedded cluster when no cluster is given), sample
// data, and the Bubble Tea program.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/config"
)

// Flags are the command-line flags of the console.
type Flags struct {
	Profile  string
	Nodes    []string
	Shards   int
	Theme    string
	ReadOnly bool
	Config   string
	Version  bool
	Help     bool

	set map[string]bool // flags given explicitly
}

// ErrHelp is returned by ParseFlags when --help was asked for (usage printed).
var ErrHelp = errors.New("help requested")

// Usage is the console's help text.
const Usage = `norikv-console: a terminal console for NoriKV clusters

Usage:
  norikv-console [flags]             open the console (on an embedded 3-node
                                     cluster when no cluster is configured)
  norikv-console devcluster [flags]  run a local cluster without the console
  norikv-console serve [flags]       run one NoriKV node
  norikv-console COMMAND [flags]     shell commands for scripts, against --nodes
                                     or --profile: get put cas delete ttl scan
                                     trace status watch index insert search
                                     (norikv-console COMMAND --help for each)

Flags:
  --profile NAME    cluster profile from the config file
  --nodes LIST      comma-separated seed addresses host:port (overrides the profile)
  --shards N        total shards of the cluster (default 1024)
  --theme NAME      dark (default), light or high-contrast; NO_COLOR turns colour off
  --read-only       refuse writes and cluster operations
  --config PATH     config file (default $XDG_CONFIG_HOME/norikv-console/config.yaml)
  --version         print the version and exit
  --help            print this help and exit

Keys: ? help, : commands, / filter, 1-9 or tab to switch panes, ctrl+l message
log, q quit.

Files: $XDG_STATE_HOME/norikv-console/ (default ~/.local/state/norikv-console/)
holds console.log (messages, and the stack of a pane that failed) and
audit.jsonl (one JSON line per write made from the console).
`

// ParseFlags parses args (without the program name).
func ParseFlags(args []string) (Flags, error) {
	var f Flags
	var nodes string
	fs := flag.NewFlagSet("norikv-console", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.Profile, "profile", "", "")
	fs.StringVar(&nodes, "nodes", "", "")
	fs.IntVar(&f.Shards, "shards", 0, "")
	fs.StringVar(&f.Theme, "theme", "", "")
	fs.BoolVar(&f.ReadOnly, "read-only", false, "")
	fs.StringVar(&f.Config, "config", "", "")
	fs.BoolVar(&f.Version, "version", false, "")
	fs.BoolVar(&f.Help, "help", false, "")
	fs.BoolVar(&f.Help, "h", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, ErrHelp
		}
		return f, fmt.Errorf("%w (see --help)", err)
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q: the console takes only flags (see --help); subcommands are devcluster and serve", fs.Arg(0))
	}
	if f.Help {
		return f, ErrHelp
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if nodes != "" {
		for _, n := range strings.Split(nodes, ",") {
			n = strings.TrimSpace(n)
			if err := config.CheckAddr(n); err != nil {
				return f, fmt.Errorf("--nodes: %w", err)
			}
			f.Nodes = append(f.Nodes, n)
		}
	}
	if f.set["shards"] && (f.Shards < 1 || f.Shards > 1<<20) {
		return f, fmt.Errorf("--shards must be 1..1048576, got %d", f.Shards)
	}
	if f.Theme != "" {
		if _, err := themes.ByName(f.Theme); err != nil {
			return f, fmt.Errorf("--theme: %w", err)
		}
	}
	return f, nil
}

// Settings are the resolved settings: flags over the profile over defaults.
type Settings struct {
	Profile     string
	Nodes       []string // empty: start the embedded cluster
	TotalShards int
	// ShardsFrom names where TotalShards came from: "--shards", a
	// profile's total_shards, or "" for the default.
	ShardsFrom string
	Timeout    time.Duration
	ReadOnly   bool
	Theme      string
	TLS        *config.TLS
	Keys       map[string][]string
	// Refresh is the live refresh interval (config refresh:); 0 is 1s.
	Refresh time.Duration
}

// Embedded reports whether the console starts its own cluster.
func (s Settings) Embedded() bool { return len(s.Nodes) == 0 }

// Resolve merges the flags with the config file.
func Resolve(f Flags, file *config.File) (Settings, error) {
	s := Settings{TotalShards: 1024, Timeout: 5 * time.Second, Theme: file.Theme, Keys: file.Keys, Refresh: file.Refresh.Duration}
	name := f.Profile
	if name == "" {
		name = file.DefaultProfile
	}
	if name != "" {
		p, ok := file.Profiles[name]
		if !ok {
			where := "no config file at " + orDefault(file.Path, "the default path")
			if file.Path != "" {
				where = "profiles in " + file.Path + ": " + strings.Join(file.ProfileNames(), ", ")
			}
			return s, fmt.Errorf("--profile %q: no such profile (%s)", name, where)
		}
		s.Profile = name
		s.Nodes = p.Nodes
		if p.TotalShards > 0 {
			s.TotalShards = p.TotalShards
			s.ShardsFrom = fmt.Sprintf("profile %q's total_shards", name)
		}
		if p.Timeout.Duration > 0 {
			s.Timeout = p.Timeout.Duration
		}
		s.ReadOnly = p.ReadOnly
		if p.Theme != "" {
			s.Theme = p.Theme
		}
		s.TLS = p.TLS
	}
	if len(f.Nodes) > 0 {
		s.Nodes = f.Nodes
		if f.Profile == "" {
			s.Profile = ""
		}
	}
	if f.Shards > 0 {
		s.TotalShards = f.Shards
		s.ShardsFrom = "--shards"
	}
	if f.set["read-only"] {
		s.ReadOnly = f.ReadOnly
	}
	if f.Theme != "" {
		s.Theme = f.Theme
	}
	if s.Profile == "" {
		s.Profile = "cluster"
		if s.Embedded() {
			s.Profile = "embedded"
		}
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Version returns the module version the binary was built from.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
