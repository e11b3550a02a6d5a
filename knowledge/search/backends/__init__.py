"""Search backends: whoosh on disk (one application server) and PostgreSQL tables
(several), both ranked by ``knowledge.search.ranking``."""
