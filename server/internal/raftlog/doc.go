// Package raftlog is a hashicorp/raft LogStore and StableStore shared by
// every Raft group of a node, on one Pebble engine.
//
// One bbolt file per group costs every group its own fsyncs (two per
// bbolt commit), and batching happens only inside one group. Here all
// groups write into one write-ahead log, and Pebble's commit pipeline
// merges every synced batch that is waiting into one fsync (group commit),
// the way CockroachDB keeps all its ranges' Raft logs in one engine.
// With fsync on, syncs that follow each other closely are spaced by about
// one sync's duration (syncpace.go), so more of the groups' commits share
// each: a sync costs CPU, not only time.
//
// The engine keeps a reserve of free space on its disk (space.go): below
// it, log appends are refused before they reach Pebble, which does not
// survive a failed write-ahead log write, and the owner is told so it can
// stop leading and campaigning until there is room again.
//
// Open a DB once per node, take one Store per group with DB.Store, and
// close the DB after every group using it has shut down.
package raftlog
