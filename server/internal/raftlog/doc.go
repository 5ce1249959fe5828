// Package raftlog is a hashicorp/raft LogStore and StableStore shared by
// every Raft group of a node, on one Pebble engine.
package raftlog

import _ "github.com/cockroachdb/pebble"
