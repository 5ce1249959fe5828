package headless

import (
	"fmt"
	"strings"
)

// globalHelp documents the flags every shell command takes.
const globalHelp = `Cluster and output flags (every command; flags may come before or after arguments):
  --nodes LIST        comma-separated seed addresses host:port (overrides the profile)
  --profile NAME      cluster profile from the config file (default: default_profile)
  --shards N          total shards of the cluster (default 1024)
  --config PATH       config file (default $XDG_CONFIG_HOME/norikv-console/config.yaml)
  --read-only         refuse writes (exit 6); a profile's read_only does the same
  -o, --output F      table, json or yaml; default table on a terminal, json otherwise
  -h, --help          print this help
`

// exitHelp lists the exit codes, shown in every command's help.
const exitHelp = `Exit codes: 0 ok, 1 other error, 2 invalid input, 3 not found, 4 CAS conflict,
5 unavailable or timed out, 6 read-only refused, 7 cluster degraded (status).
`

// help builds a command's --help text.
func help(synopsis, description string, flags ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: norikv-console %s\n\n%s\n", synopsis, description)
	if len(flags) > 0 {
		b.WriteString("\nFlags:\n")
		for _, f := range flags {
			b.WriteString("  " + f + "\n")
		}
	}
	b.WriteString("\n" + globalHelp + "\n" + exitHelp)
	return b.String()
}

// Usage lists the shell commands, for the console's --help.
func Usage() string {
	var b strings.Builder
	b.WriteString("Shell commands (norikv-console COMMAND --help for each):\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	return b.String()
}
