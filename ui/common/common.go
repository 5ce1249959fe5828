// Package common holds what the console's root model and every pane share:
// the shared value struct, the pane contract, palette actions, the messages
// that carry data into panes, and layout helpers.
package common

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
)

// ClusterControl is implemented by the embedded cluster: it lets the console
// stop and restart nodes so people can watch a failover. Nil when the
// console talks to an external cluster.
type ClusterControl interface {
	NodeIDs() []string
	Running(id string) bool
	StopNode(id string) error
	RestartNode(ctx context.Context, id string) error
}

// Common is the shared value passed to each pane's New. Panes keep it by
// value; the pointers inside are shared and owned by the root.
type Common struct {
	Styles *themes.Styles
	Keys   *keybindings.KeyMap
	// Client is the connected NoriKV client; nil in tests that feed panes
	// with messages only. Panes use it inside tea.Cmds, never in Update/View.
	Client *client.Client
	// Data, when set, is what panes call instead of Client (see Backend):
	// pane tests set an in-memory fake.
	Data Backend
	// Control is non-nil on the embedded cluster.
	Control ClusterControl
	// Profile names the cluster profile shown in the header.
	Profile string
	// ReadOnly forbids writes and cluster operations.
	ReadOnly bool
	// TotalShards is the configured shard count (before the first view).
	TotalShards int
	// Timeout bounds each network call a pane makes.
	Timeout time.Duration
}

// Context returns a context bounded by the configured timeout.
func (c Common) Context() (context.Context, context.CancelFunc) {
	t := c.Timeout
	if t <= 0 {
		t = client.DefaultTimeout
	}
	return context.WithTimeout(context.Background(), t)
}

// Pane is the contract every tab implements. Panes use pointer receivers and
// Update mutates in place: the root holds panes of different types in one
// slice, and a concrete-type Update (like bubbles' table.Model) would force it
// to type-assert on every message.
type Pane interface {
	help.KeyMap
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	// View renders exactly the size last given to SetSize.
	View() string
	SetSize(width, height int)
	// Title is the tab label.
	Title() string
	// Actions are the palette commands the pane offers right now.
	Actions() []Action
}

// Styler is implemented by every pane: SetStyles gives it the styles to
// draw with and passes them to the components that keep their own (text
// fields). The root calls it after a theme switch that replaces the
// Styles value; fields read the shared Styles at every View, so a switch
// that rewrites it in place reaches them too.
type Styler interface {
	SetStyles(st *themes.Styles)
}

// Filterable is implemented by panes with a list that `/` filters.
type Filterable interface {
	SetFilter(text string)
}

// InputCapturer is implemented by panes that sometimes own the keyboard (a
// text field has focus): the root then passes every key but ctrl+c and esc
// to the pane.
type InputCapturer interface {
	CapturingInput() bool
}

// BackHandler is implemented by panes with a view of their own to close on
// esc (a detail view): the root asks the pane first, and Back reports
// whether the pane used the key.
type BackHandler interface {
	Back() (bool, tea.Cmd)
}

// Action is one command of the palette.
type Action struct {
	// Title is what the palette shows and matches, e.g. "Stop node n2".
	Title string
	// Help is a one-line description.
	Help string
	// Keys is the shortcut that does the same, if any.
	Keys string
	// Prompt, when set, asks for an argument before running.
	Prompt string
	// Default is the argument pre-filled in the prompt.
	Default string
	// Confirm, when set, asks yes/no first; "%s" is replaced by the argument.
	Confirm string
	// Run starts the action; it must not block (network work goes in the
	// returned command).
	Run func(arg string) tea.Cmd
	// Disabled, when set, says why the action cannot run now (ErrReadOnly
	// for a write on a read-only profile): the palette lists it dimmed and
	// refuses it at once, without a prompt or confirmation.
	Disabled error
}

// MsgCmd wraps a message in a command.
func MsgCmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }
