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
// Concurrency: Search, SearchExact, Get, Len, Bytes and WriteSnapshot may run
// concurrently with each other; Upsert and Delete take the index exclusively.
package vectorindex
