package themes

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestByName(t *testing.T) {
	for _, n := range append(Names(), "") {
		th, err := ByName(n)
		if err != nil || len(th.Nodes) < 5 {
			t.Errorf("ByName(%q) = %+v, %v", n, th, err)
		}
	}
	if _, err := ByName("neon"); err == nil || !strings.Contains(err.Error(), "dark, high-contrast, light") {
		t.Errorf("unknown theme error: %v", err)
	}
}

func TestStylesFollowTheColourProfile(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	s := NewStyles(Dark(), r)
	if !s.Color || !strings.Contains(s.Node(0).Render("x"), "\x1b[") {
		t.Error("256-colour styles render no colour")
	}
	if s.Node(-1).Render("x") != s.NoLeader.Render("x") || s.Node(len(s.Nodes)).Render("x") != s.Node(0).Render("x") {
		t.Error("Node does not fall back or cycle")
	}
	r.SetColorProfile(termenv.Ascii)
	s = NewStyles(Dark(), r)
	if s.Color || s.Node(0).Render("x") != "x" {
		t.Error("ASCII styles render escape codes")
	}
}

func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if !NoColor() {
		t.Fatal("NO_COLOR=1 not honoured")
	}
	s := NewStyles(Dark(), NewRenderer(io.Discard, NoColor()))
	if s.Color || s.Title.Render("t") != "t" {
		t.Error("NO_COLOR styles still colour")
	}
	t.Setenv("NO_COLOR", "")
	if NoColor() {
		t.Error("empty NO_COLOR counted as set")
	}
}
