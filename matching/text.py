"""Text cleaning shared by the embedding and lexical channels."""

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def clean_text(text: str | None) -> str:
    """Strip control characters and collapse white space; never raises."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip()


def posting_text(title: str | None, body: str | None, keywords: list[str] | None = None) -> str:
    """The one text a posting is embedded and indexed from."""
    title, body = clean_text(title), clean_text(body)
    parts = [title] if title and title not in body else []
    if body:
        parts.append(body)
    if keywords:
        parts.append("、".join(k for k in (clean_text(k) for k in keywords) if k))
    return "\n".join(p for p in parts if p)
