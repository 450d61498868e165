// Package vectorbench measures the nearest-message search at scale
// (docs/search.md): it loads synthetic, clustered embeddings for one heavy
// user among others into a migrated database, builds the HNSW index, and measures
// store.NearestMessages' warm latency and recall@k against an exact scan for
// a heavy and a light user, beside variants of the search (iterative scan
// off, relaxed order, other hnsw.ef_search values, other index builds).
//
// The command is local/cmd/vectorbench.
package vectorbench
