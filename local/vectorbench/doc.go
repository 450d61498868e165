// Package vectorbench measures the nearest-message search at scale
// (docs/search.md): it loads synthetic, clustered embeddings for one heavy
// user among others into a migrated database, builds the HNSW index, and measures
// store.NearestMessages' warm latency and recall@k against an exact scan for
// a heavy and a light user, beside variants of the search (iterative scan
// off, relaxed order, other hnsw.ef_search values, other index builds).
// On a labelled set (messages of the heavy user holding a unique token
// such as ERR_0123456789ab, and a query for each) it measures the keyword
// and hybrid searches (store.KeywordMessages, store.HybridMessages): their
// latency and recall@k, beside the semantic search on the same queries, and
// their latency on queries of two words most messages hold (their worst
// case).
//
// The command is local/cmd/vectorbench.
package vectorbench
