// Package vectorindex holds one vector index: exact (brute-force) or HNSW
// approximate nearest-neighbour search over float32 vectors with a fixed
// dimension and one of the three distances of the NoriKV protocol.
//
// The index is built to sit inside a replicated state machine: every
// mutation (Upsert, Delete) is deterministic, so replicas that apply the same
// sequence of operations hold identical indexes and return identical search
// results. HNSW levels come from a PRNG seeded by Config.Seed whose state is
// part of the index; nothing depends on time, global randomness or map
// iteration order. WriteSnapshot serialises the whole state (vectors, graph,
// PRNG), and ReadSnapshot restores it exactly, so a restored replica keeps
// answering like the others.
//
// Deletes from an HNSW index leave tombstones that keep routing searches but
// are never returned; sweeps spread over later writes repair the graph and
// free them (see compact.go).
//
// Concurrency: Search, SearchExact, Get, Len, Bytes, Stats, Clone and
// WriteSnapshot may run concurrently with each other; Upsert, Delete and
// Compact take the index exclusively. A state machine that must not block
// writes while a snapshot is written can Clone under its own lock and write
// the clone's snapshot at leisure.
package vectorindex
