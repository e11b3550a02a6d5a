"""French search over the knowledge base: the analyser, the glossary, query plans, the
shared ranking, and the backends behind one interface (``index.SearchIndex``)."""
