#!/usr/bin/env bash
# Captures every pane of the console as text at 80x24: builds the binary,
# runs it in tmux on the embedded cluster (with its sample data, NO_COLOR=1),
# visits each pane by its number and saves docs/screens/<pane>.txt, plus
# help.txt (the ? overlay). The README shows these files, so rerun this
# after changing a pane:   docs/screens/capture.sh
#
# Needs tmux (installed with apt-get when missing and run as root). The pane
# names come from the tab bar ("[3 Stats]" -> stats.txt), so new panes are
# picked up without editing this script.
set -euo pipefail

cd "$(dirname "$0")/../.."
out=docs/screens
settle=${SETTLE:-3}      # seconds a pane gets to load its data before the capture
ready_timeout=${READY_TIMEOUT:-180}

if ! command -v tmux >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y tmux >/dev/null || { apt-get update >/dev/null && apt-get install -y tmux >/dev/null; }
	else
		echo "capture.sh: tmux is required (apt-get install tmux)" >&2
		exit 1
	fi
fi

work=$(mktemp -d)
sock="norikv-capture-$$"
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building the console…" >&2
go build -o "$work/norikv-console" .

mkdir -p "$work/config"
tmux -L "$sock" -f /dev/null new-session -d -s capture -x 80 -y 24 \
	"env NO_COLOR=1 XDG_CONFIG_HOME=$work/config TERM=xterm-256color $work/norikv-console; sleep 600"
tmux -L "$sock" set-option -t capture status off >/dev/null

screen() { tmux -L "$sock" capture-pane -p -t capture; }

# Ready once the header says connected and the sample data is in (the
# status line reports the seeding, and the keys exist).
echo "waiting for the embedded cluster and its sample data…" >&2
deadline=$((SECONDS + ready_timeout))
until screen | head -1 | grep -q ' connected'; do
	if [ $SECONDS -ge $deadline ]; then
		echo "capture.sh: the console did not connect within ${ready_timeout}s; last screen:" >&2
		screen >&2
		exit 1
	fi
	sleep 1
done

# The sample data (8 keys, 2006 vectors) loads in the background: wait for it
# with the shell commands, on the address the cluster pane shows.
addr=$(screen | grep -o '127\.0\.0\.1:[0-9]*' | head -1)
if [ -n "$addr" ]; then
	until "$work/norikv-console" index list --nodes "$addr" -o json 2>/dev/null | grep -q '"vectors":2000' &&
		[ "$("$work/norikv-console" scan --nodes "$addr" 2>/dev/null | wc -l)" -ge 8 ]; do
		if [ $SECONDS -ge $deadline ]; then
			echo "capture.sh: the sample vectors did not load within ${ready_timeout}s" >&2
			exit 1
		fi
		sleep 1
	done
fi
sleep "$settle"

# show_off gives a pane something to show: a traced key, a random query.
show_off() {
	case "$1" in
	trace) tmux -L "$sock" send-keys -t capture Enter 'user:1' Enter ;;
	keys) tmux -L "$sock" send-keys -t capture r ;; # its first page may predate the sample keys
	vectors) tmux -L "$sock" send-keys -t capture x ;;
	*) return ;;
	esac
	sleep "$settle"
}

n=0
for i in 1 2 3 4 5 6 7 8 9; do
	# Escape first: a pane with a focused input would take the digit as text.
	tmux -L "$sock" send-keys -t capture Escape
	sleep 0.3
	tmux -L "$sock" send-keys -t capture "$i"
	sleep "$settle"
	shot=$(screen)
	# The active tab is drawn as "[i Name]".
	name=$(printf '%s\n' "$shot" | sed -n "2s/.*\[$i \([A-Za-z][A-Za-z ]*\)\].*/\1/p" | tr 'A-Z ' 'a-z-')
	if [ -z "$name" ]; then
		break # no pane with this number
	fi
	show_off "$name"
	screen >"$out/$name.txt"
	echo "captured $out/$name.txt" >&2
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "capture.sh: found no pane tabs; last screen:" >&2
	screen >&2
	exit 1
fi

tmux -L "$sock" send-keys -t capture Escape
sleep 0.3
tmux -L "$sock" send-keys -t capture 1
sleep 0.3
tmux -L "$sock" send-keys -t capture '?'
sleep 1
screen >"$out/help.txt"
echo "captured $out/help.txt" >&2
tmux -L "$sock" send-keys -t capture Escape q
echo "captured $n panes at 80x24 into $out/" >&2

# The README shows the keys pane inline, between markers: keep it current.
if grep -q '<!-- screens:keys' README.md; then
	awk -v f="$out/keys.txt" '
		/<!-- screens:keys/ { print; print "```"; while ((getline l < f) > 0) print l; print "```"; skip = 1; next }
		/<!-- \/screens:keys -->/ { skip = 0 }
		!skip { print }
	' README.md >"$work/README.md" && cat "$work/README.md" >README.md
	echo "updated the keys pane in README.md" >&2
fi
