"""The pure matching engine: embedding, lexical retrieval, fusion and explanation."""
