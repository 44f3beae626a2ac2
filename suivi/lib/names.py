"""Keys under which the same Sahel name, written by different people, compares equal.

The same person is "Mahamadou Traoré" on one partner's list, "Mamadou TRAWORE" on another and
"محمد" on a Mauritanian record. Three keys cover how these lists really differ:

- ``folded``: lower case, without accents, separators or particles ("Ould", "Mint", "Ben"...);
- ``phonetic``: a consonant skeleton robust to ou/u/w, dia/dja/ja, c/k/q, doubled letters and
  vowels, with the Mohamed family (Mahamadou, Mamadou, Muhammad, Mahamat...) brought to one form;
- ``tokens``: the phonetic keys of every part of the name, so that family and given names swapped,
  and middle names added or dropped, still share their parts.

Arabic script is first transliterated to Latin letters with a basic table (consonants only, as
Arabic is usually written), which the phonetic key then meets half way.
"""

from __future__ import annotations

import functools
import re

from suivi.lib.text import fold

# Names repeat (a registry of a million persons holds a few thousand distinct names): each
# distinct name or part is analysed once per process.
_REPEATED = 1 << 17

# Particles of Moorish, Tuareg and Arabic names: "son of", "daughter of", the article. They are
# written, abbreviated or dropped at will, so they are left out of the keys.
PARTICLES = frozenset(
    {
        "ould",
        "o",
        "wuld",
        "ole",
        "mint",
        "mnt",
        "bint",
        "bent",
        "ben",
        "bin",
        "ibn",
        "ag",
        "ait",
        "walet",
        "welet",
        "el",
        "al",
        "ul",
        "ahl",
    }
)

# A basic Arabic to Latin table. Short vowels are not written in Arabic; long ones are rendered.
ARABIC_TO_LATIN = {
    "ا": "a",
    "أ": "a",
    "إ": "i",
    "آ": "a",
    "ء": "",
    "ؤ": "u",
    "ئ": "i",
    "ب": "b",
    "ت": "t",
    "ة": "a",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "ch",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "و": "ou",
    "ي": "i",
    "ى": "a",
    "ـ": "",
}
_ARABIC = re.compile("[\u0600-\u06ff]")
# Prefixes glued to the next word in Arabic script ("ولد" son of, "بنت" daughter of, "ال" the).
_ARABIC_PARTICLES = {"ولد": "ould", "بنت": "mint", "بن": "ben", "ابن": "ibn"}

# Spellings of one sound, applied in this order on the folded name.
_SOUNDS = [
    (re.compile(r"dj|dy|dh|dz"), "j"),
    (re.compile(r"^dia|(?<=[^aeiou])dia"), "ja"),
    (re.compile(r"^di(?=[aeou])"), "j"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ch|sh|sch"), "s"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"kh|gh|ck|qu|q|c"), "k"),
    (re.compile(r"th"), "t"),
    (re.compile(r"ou|w"), "u"),
    (re.compile(r"y"), "i"),
    (re.compile(r"z"), "s"),
    (re.compile(r"h"), ""),
]
_VOWELS = re.compile(r"[aeiou]")
_DOUBLED = re.compile(r"(.)\1+")
# Skeletons of the Mohamed family, and of the few other given names whose spellings drift further
# than the skeleton follows; each maps to one form.
_FAMILIES = {
    "mmd": "mmd",
    "mmt": "mmd",
    "mmdu": "mmd",
    "mamd": "mmd",
    "mam": "mmd",
    "md": "mmd",
}


def transliterate(text: str) -> str:
    """Arabic script in Latin letters (a basic table); other text unchanged."""
    if not _ARABIC.search(text):
        return text
    words = []
    for word in text.split():
        if word in _ARABIC_PARTICLES:
            words.append(_ARABIC_PARTICLES[word])
            continue
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        words.append("".join(ARABIC_TO_LATIN.get(c, c) for c in word))
    return " ".join(words)


def parts(name: str) -> list[str]:
    """The folded parts of a name, particles left out: "Ould Sidi-Mohamed" -> [sidi, mohamed]."""
    words = re.split(r"[^a-z0-9]+", fold(transliterate(name)).replace("'", "").replace("’", ""))
    return [w for w in words if w and w not in PARTICLES]


def folded(name: str) -> str:
    """The name's parts, folded and joined without separators: "N'Diaye" -> "ndiaye"."""
    return "".join(parts(name))


@functools.lru_cache(maxsize=_REPEATED)
def phonetic(word: str) -> str:
    """The phonetic key of one part of a name: first sound, then consonants.

    Mamadou, Mahamadou, Mohamed, Muhammad, Mahamat -> "mmd"; Traoré, Trawore -> "trr";
    Coulibaly, Kulibali -> "klbl"; Diallo, Djallo, Jallow -> "jl".
    """
    word = folded(word)
    if not word:
        return ""
    for pattern, sound in _SOUNDS:
        word = pattern.sub(sound, word)
    word = _DOUBLED.sub(r"\1", word)
    if not word:
        return ""
    first = "a" if word[0] in "aei" else ("u" if word[0] in "ou" else word[0])
    skeleton = first + _VOWELS.sub("", word[1:]) if first in "au" else _VOWELS.sub("", word)
    # "mhmd" lost its h above; "m-h-m-d" and "m-m-d" are one family.
    skeleton = _DOUBLED.sub(r"\1\1", skeleton)
    return _FAMILIES.get(skeleton, skeleton) or first


def tokens(name: str) -> list[str]:
    """Phonetic keys of each part of a name, in order."""
    return [key for key in (phonetic(p) for p in parts(name)) if key]


@functools.lru_cache(maxsize=_REPEATED)
def name_key(name: str) -> str:
    """The phonetic key of a whole name part (family name, or first given name)."""
    keys = tokens(name)
    return keys[0] if keys else ""


def token_set(family: str, given: str) -> frozenset[str]:
    """All phonetic parts of a person's names, whichever field they were written in."""
    return frozenset(tokens(family) + tokens(given))


def phone_key(phone: str) -> str:
    """The subscriber part of a phone number (its last 8 digits), whatever its prefix."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-8:] if len(digits) >= 8 else ""
