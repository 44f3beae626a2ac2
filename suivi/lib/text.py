"""Names as people type them: with or without accents, apostrophes and hyphens.

"Segou" finds Ségou, "nbeiket" finds N'Beiket Lehwach, "traore" finds Traoré, on SQLite and
PostgreSQL alike and without database extensions: the patterns built here are plain regular
expressions that both databases run.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters that are typed with or without accents in French and transliterated Arabic names.
_ACCENTED = {
    "a": "aàáâãäå",
    "c": "cç",
    "e": "eèéêë",
    "i": "iìíîï",
    "n": "nñ",
    "o": "oòóôõö",
    "u": "uùúûü",
    "y": "yýÿ",
}
# Characters that separate the parts of a name and that people type, drop or swap freely.
SEPARATORS = " -'’"
_SEPARATOR_GAP = "[- '’]?"


@functools.lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """Lower case, without accents, spaces collapsed: the form in which names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def bare(text: str) -> str:
    """The folded name without separators: "N'Beiket Lehwach" -> "nbeiketlehwach"."""
    return "".join(c for c in fold(text) if c not in SEPARATORS)


def name_pattern(word: str) -> str:
    """A regular expression finding ``word`` in a name whatever its accents, letter case,
    apostrophes and hyphens. Empty when the word has no letter or digit."""
    parts = []
    for char in bare(word):
        if char.isalpha():
            variants = _ACCENTED.get(char, char)
            parts.append(f"[{re.escape(variants + variants.upper())}]")
        else:
            parts.append(re.escape(char))
    return _SEPARATOR_GAP.join(parts)


def accent_pattern(text: str) -> str:
    """A regular expression matching ``text`` whatever its accents and letter case (spaces kept)."""
    parts = []
    for char in fold(text):
        if char == " ":
            parts.append("[ ]+")
        elif char.isalpha():
            variants = _ACCENTED.get(char, char)
            parts.append(f"[{variants}{variants.upper()}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)
