"""The knowledge base: reference texts, their search, and the 26 CUS indicators."""
