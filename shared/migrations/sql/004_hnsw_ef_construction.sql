---- tern: disable-tx ----
-- The HNSW index is rebuilt with ef_construction = 128 (pgvector's default is
-- 64; m stays at its default, 16): a better graph, which local/vectorbench
-- measured to keep the HNSW branch of store.NearestMessages (relaxed_order,
-- ef_search 64) above the recall target from one build to the next, for
-- about a third more build time (31 s instead of 24 s for 182 000 vectors)
-- and the same size.
--
-- It is built CONCURRENTLY beside the old one, outside a transaction (tern
-- runs these statements one by one), so that searches and new vectors never
-- wait for the build; then the old index goes and the new one takes its
-- name. Every step may run again after an interruption. More build memory
-- than PostgreSQL's default 64 MB keeps the graph in memory while it is
-- built (pgvector's advice); 128 MB fits Neon's smallest compute.
SET maintenance_work_mem = '128MB';
DROP INDEX CONCURRENTLY IF EXISTS message_embeddings_embedding_v2_idx;
CREATE INDEX CONCURRENTLY message_embeddings_embedding_v2_idx ON message_embeddings
    USING hnsw (embedding halfvec_cosine_ops) WITH (m = 16, ef_construction = 128);
DROP INDEX CONCURRENTLY IF EXISTS message_embeddings_embedding_idx;
ALTER INDEX message_embeddings_embedding_v2_idx RENAME TO message_embeddings_embedding_idx;

---- create above / drop below ----
---- tern: disable-tx ----
DROP INDEX CONCURRENTLY IF EXISTS message_embeddings_embedding_v1_idx;
CREATE INDEX CONCURRENTLY message_embeddings_embedding_v1_idx ON message_embeddings USING hnsw (embedding halfvec_cosine_ops);
DROP INDEX CONCURRENTLY IF EXISTS message_embeddings_embedding_idx;
ALTER INDEX message_embeddings_embedding_v1_idx RENAME TO message_embeddings_embedding_idx;
