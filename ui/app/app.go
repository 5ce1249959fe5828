package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui"
	"github.com/norikv/norikv-console/ui/clipboard"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/config"
	"github.com/norikv/norikv-console/ui/jobctl"
	"github.com/norikv/norikv-console/ui/journal"
)

// Run is the console's entry point: it returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := ParseFlags(args)
	if errors.Is(err, ErrHelp) {
		fmt.Fprint(stdout, Usage)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "norikv-console:", err)
		return 2
	}
	if f.Version {
		fmt.Fprintln(stdout, "norikv-console", Version())
		return 0
	}
	s, file, err := LoadSettings(f)
	if err != nil {
		fmt.Fprintln(stderr, "norikv-console:", err)
		return 2
	}
	sess, err := Start(ctx, s, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "norikv-console:", err)
		return 1
	}
	defer func() {
		if err := sess.Close(); err != nil {
			fmt.Fprintln(stderr, "norikv-console:", err)
		}
	}()
	sess.Journal = openJournal(stderr)
	defer func() {
		if err := sess.Journal.Close(); err != nil {
			fmt.Fprintln(stderr, "norikv-console:", err)
		}
	}()
	r := themes.NewRenderer(os.Stdout, themes.NoColor())
	// Frames and clipboard (OSC 52) writes share one lock on stdout, so a
	// copy never tears a frame.
	term := clipboard.NewTerminal(os.Stdout, clipboard.InTmux())
	sess.Clipboard = term.Copy
	model, err := NewModel(s, sess, r)
	if err != nil {
		fmt.Fprintf(stderr, "norikv-console: config %s: %v\n", file.Path, err)
		return 2
	}
	// ctx ends on SIGINT and SIGTERM (main): the program is then asked to
	// quit, which shuts it down in order (it waits for its input reader).
	// Bubble Tea's own handler for those signals is off: it hands them to
	// the program without watching for its end, and blocked forever when
	// the program had already stopped on the same signal through ctx, so
	// the console never exited.
	p := tea.NewProgram(model, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithOutput(term), tea.WithoutSignalHandler())
	stopQuit := context.AfterFunc(ctx, p.Quit)
	defer stopQuit()
	if _, err := p.Run(); err != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "norikv-console:", err)
		return 1
	}
	return 0
}

// LoadSettings reads the config file (--config or the default path) and
// resolves the settings, checking key rebindings with their line.
func LoadSettings(f Flags) (Settings, *config.File, error) {
	path := f.Config
	if path == "" {
		p, err := config.DefaultPath()
		if err != nil {
			return Settings{}, nil, err
		}
		path = p
	} else if _, err := os.Stat(path); err != nil {
		return Settings{}, nil, fmt.Errorf("--config: %w", err)
	}
	file, err := config.Load(path)
	if err != nil {
		return Settings{}, nil, err
	}
	if action, err := ui.CheckKeys(file.Keys); err != nil {
		return Settings{}, nil, fmt.Errorf("config %s: line %d: %w", path, file.KeyLine(action), err)
	}
	s, err := Resolve(f, file)
	return s, file, err
}

// NewModel builds the root model for a session.
func NewModel(s Settings, sess *Session, r *lipgloss.Renderer) (*ui.Model, error) {
	t, err := themes.ByName(s.Theme)
	if err != nil {
		return nil, err
	}
	c := common.Common{
		Styles: themes.NewStyles(t, r), Keys: keybindings.DefaultKeyMap(), Client: sess.Client,
		Profile: s.Profile, ReadOnly: s.ReadOnly, TotalShards: s.TotalShards, Timeout: s.Timeout,
	}
	if sess.Client != nil {
		c.TotalShards = sess.Client.Config().TotalShards // the cluster's, when Start took it
	}
	if sess.Cluster != nil {
		c.Control = sess.Cluster
	}
	return ui.New(ui.Options{Common: c, Renderer: r, Feed: sess.Feed, KeyOverrides: s.Keys, Notice: sess.Notice, NoticeIsError: sess.NoticeIsError,
		Journal: sess.Journal, Seed: sess.Seed, SeedAtStart: sess.SeedAtStart, Clipboard: sess.Clipboard, Refresh: s.Refresh,
		Suspendable: jobctl.Resumable()})
}

// openJournal opens the console log and audit file in the state directory;
// without one the console still runs, and says so.
func openJournal(stderr io.Writer) *journal.Journal {
	dir, err := journal.Dir()
	if err == nil {
		var j *journal.Journal
		if j, err = journal.Open(dir); err == nil {
			return j
		}
	}
	fmt.Fprintf(stderr, "norikv-console: no console log or audit file: %v\n", err)
	return nil
}
