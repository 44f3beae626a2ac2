"""Duplicate detection in the registry: a Fellegi-Sunter record linkage model.

Two records are compared field by field; each comparison falls in one *level* (names exactly
equal, equal once transliterated, close in spelling, different...). Each level has two
probabilities: ``m``, that two records of the same person fall in it, and ``u``, that two records
of different persons do. The evidence of a pair is the sum of ``log2(m / u)`` over its
comparisons, added to the prior odds that two records of the registry are the same person; the
score is the resulting probability (0..1).

Three refinements follow how Sahel registries differ:

- term frequencies: agreeing on "Traoré" or "Mamadou" is weaker evidence than agreeing on a rare
  name, and a phone shared by a whole household weighs less than a personal one: for agreeing
  levels, ``u`` is at least the share of the registry having that value;
- names are compared both ways round (given and family names swapped) and part by part (a
  middle name added or dropped);
- guards: twins (same date of birth, same household or family name and phone, different given
  names) and a father and son of the same name (born 15 years or more apart) are never matched.

The model is plain data (``MODEL``: comparisons, their levels, m and u, the prior): the same
levels are SQL ``CASE`` expressions in splink, so the model can be exported as a splink settings
dictionary (``splink_settings``) and run on DuckDB or Spark for registries beyond one machine.

Three entry points:

- ``likely_matches(user, data, limit)``: one record against the registry, through indexed blocking
  queries (used when a person is registered);
- ``scan(frame, ...)``: all pairs of many records, vectorised with numpy (the batch scan);
- ``link(rows, persons=...)``: the records of a list being imported against the registry and each
  other: the batch scan over the records and the persons sharing a blocking key with them.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import JaroWinkler, Levenshtein

from suivi.lib import names
from suivi.places.models import Area
from suivi.registry.models import ExternalId, Person

# --- The model, as data ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Level:
    """One level of a comparison: its m and u probabilities and the reason shown to reviewers."""

    code: str
    m: float
    u: float
    reason: str = ""
    tf: bool = False  # u is raised to the frequency of the agreed value

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """A field compared between two records; ``levels`` are tried in order, the last is "else"."""

    name: str
    kind: str  # "names", "date", "exact", "area" or "string"
    columns: tuple[str, ...]
    levels: tuple[Level, ...]

    def level(self, code: str) -> Level:
        return next(level for level in self.levels if level.code == code)


@dataclasses.dataclass(frozen=True)
class Model:
    """Comparisons and the prior: ``duplicate_rate`` of records having a duplicate."""

    comparisons: tuple[Comparison, ...]
    duplicate_rate: float = 0.1
    threshold: float = 0.5
    # At registration a person only asks a human to look: a lower bar than the review queue.
    registration_threshold: float = 0.2
    tf_min_records: int = 1000
    prior_min_records: int = 100

    def prior_weight(self, n_records: int) -> float:
        # Prior odds that two records, one drawn at random, are the same person.
        n = max(n_records, self.prior_min_records)
        p = self.duplicate_rate / n
        return math.log2(p / (1 - p))


def _name_levels(
    m: tuple[float, ...], u: tuple[float, ...], exact: str, phonetic: str, close: str
) -> tuple[Level, ...]:
    reasons = (exact, _("middle name added or dropped"), phonetic, close, "", "")
    codes = ("exact", "parts", "phonetic", "close", "fair", "else")
    return tuple(
        Level(code, m_, u_, reason, tf=code in ("exact", "parts", "phonetic"))
        for code, m_, u_, reason in zip(codes, m, u, reasons, strict=True)
    )


# m and u of each level. u was measured on random pairs and m on known duplicate pairs of the
# Sahel generator (bench/sahel.py, seed 1: transliteration, swapped names, estimated dates),
# then rounded; the benchmark evaluates on other seeds. Without term frequencies, u of "exact"
# is the chance that two different persons share the name: high for Sahel names.
MODEL = Model(
    comparisons=(
        Comparison(
            "family",
            "names",
            ("family", "given"),
            _name_levels(
                (0.72, 0.005, 0.25, 0.013, 0.004, 0.008),
                (0.08, 0.0002, 0.008, 0.002, 0.002, 0.9078),
                _("same family name"),
                _("family name alike (transliteration)"),
                _("family name alike (spelling)"),
            ),
        ),
        Comparison(
            "given",
            "names",
            ("given", "family"),
            _name_levels(
                (0.61, 0.08, 0.27, 0.015, 0.007, 0.018),
                (0.028, 0.008, 0.0077, 0.0004, 0.009, 0.9469),
                _("same given name"),
                _("given name alike (transliteration)"),
                _("given name alike (spelling)"),
            ),
        ),
        Comparison(
            "birth",
            "date",
            ("birth", "estimated"),
            (
                Level("exact", 0.36, 0.0001, _("same date of birth")),
                Level("year", 0.46, 0.035, _("born the same year")),
                Level("one", 0.085, 0.043, _("born within a year")),
                Level("estimated", 0.085, 0.125, _("estimated date of birth, close")),
                Level("two", 0.005, 0.03, _("born within two years")),
                Level("else", 0.005, 0.7669, ""),
            ),
        ),
        Comparison(
            "sex",
            "exact",
            ("sex",),
            (Level("exact", 0.986, 0.516, ""), Level("else", 0.014, 0.484, "")),
        ),
        Comparison(
            "phone",
            "exact",
            ("phone",),
            (
                Level("exact", 0.78, 0.00024, _("same phone"), tf=True),
                Level("else", 0.22, 0.99976, ""),
            ),
        ),
        Comparison(
            "area",
            "area",
            ("area",),
            # "within": one record names a place that holds the other's (a region for a
            # commune of that region): a partner's list often stops at the region or cercle.
            (
                Level("exact", 0.75, 0.017, _("same area")),
                Level("within", 0.1, 0.03, _("same area (one record more precise)")),
                Level("else", 0.15, 0.953, ""),
            ),
        ),
        Comparison(
            "household",
            "exact",
            ("household",),
            # Neutral by itself; in one household the phone is the household's (see below).
            (
                Level("exact", 0.0002, 0.0002, _("same household")),
                Level("else", 0.9998, 0.9998, ""),
            ),
        ),
    )
)

SWAPPED_REASON = _("family and given names swapped")
PROGRES_REASON = _("same proGres number")
TWINS_YEARS = 0
GENERATION_DAYS = 15 * 365


def splink_settings(model: Model = MODEL, n_records: int = 1_000_000) -> dict:
    """The model as a splink settings dictionary (levels, m and u), to run at country scale on
    DuckDB or Spark. Name levels use the stored keys (columns ``<name>_key``)."""
    comparisons = []
    for comparison in model.comparisons:
        column = comparison.columns[0]
        levels = [
            {
                "sql_condition": f'"{column}_l" IS NULL OR "{column}_r" IS NULL',
                "label_for_charts": "null",
                "is_null_level": True,
            }
        ]
        for level in comparison.levels:
            levels.append(
                {
                    "sql_condition": _splink_condition(comparison, level),
                    "label_for_charts": level.code,
                    "m_probability": level.m,
                    "u_probability": level.u,
                    "tf_adjustment_column": column if level.tf else None,
                }
            )
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    prior = model.duplicate_rate / max(n_records, model.prior_min_records)
    return {
        "link_type": "dedupe_only",
        "probability_two_random_records_match": prior,
        "comparisons": comparisons,
    }


def _splink_condition(comparison: Comparison, level: Level) -> str:
    column = comparison.columns[0]
    l_, r_ = f'"{column}_l"', f'"{column}_r"'
    if level.code == "else":
        return "ELSE"
    if comparison.kind == "date":
        days = {"exact": 0, "year": 183, "one": 400, "estimated": 5 * 366, "two": 760}
        return f"abs(date_diff('day', {l_}, {r_})) <= {days[level.code]}"
    if level.code == "exact":
        return f"{l_} = {r_}"
    if level.code == "within":
        return (
            f'{l_} IN ("area_parent_id_r", "area_grandparent_id_r") '
            f'OR {r_} IN ("area_parent_id_l", "area_grandparent_id_l")'
        )
    if level.code in ("phonetic", "parts"):
        return f'"{column}_key_l" = "{column}_key_r"'
    threshold = 0.92 if level.code == "close" else 0.85
    return f"jaro_winkler_similarity({l_}, {r_}) >= {threshold}"


# --- Records as columns ------------------------------------------------------------------------


# The fields of a record that matching compares (a person of the registry also has its id and
# household; the lineage of the area is added by ``with_lineage``).
COMPARED = (
    "family_name",
    "given_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "phone",
    "area_id",
)


class Record:
    """What matching compares of one record not yet in the registry (a row of a list being
    imported), read with ``get`` like the dicts of the registry's persons.

    A list of a million rows is held whole while it is matched: slots take a third of a dict's
    memory, and ``Record.interned`` shares the strings and dates repeated across rows (names,
    places, days of birth) instead of keeping a copy per row.
    """

    __slots__ = (*COMPARED, "area_parent_id", "area_grandparent_id")

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    def get(self, name: str, default=None):
        return getattr(self, name, default)

    def __setitem__(self, name: str, value) -> None:
        setattr(self, name, value)

    @staticmethod
    def interned() -> Callable:
        """A function that returns a value equal to the one given, the same object each time
        (for one list)."""
        seen: dict = {}

        def interned(value):
            return seen.setdefault(value, value)

        return interned


def _factorize(values: list) -> tuple[np.ndarray, list]:
    """Index of each value in the list of distinct values, and that list."""
    index: dict = {}
    found = np.fromiter((index.setdefault(v, len(index)) for v in values), np.int64, len(values))
    return found, list(index)


class Frame:
    """Records as numpy columns, in the forms the comparisons read.

    ``family`` and ``given`` hold folded names; ``*_key`` their phonetic keys; ``*_first`` the
    folded first part; names, phones, areas and households are also integer codes (one
    vocabulary for both names so that swapped names compare). ``birth`` is a day number (-1:
    unknown).
    """

    def __init__(self, rows: Sequence[dict], strings: Sequence[str] = (), spellings: bool = False):
        n = len(rows)
        self.n = n
        self.ids = np.array([r.get("id", i) for i, r in enumerate(rows)], dtype=np.int64)
        vocab: dict[str, int] = {"": -1}

        def codes(values) -> np.ndarray:
            return np.array([vocab.setdefault(v, len(vocab)) for v in values], dtype=np.int64)

        # Values repeat a lot (names, phones, areas): each distinct value is analysed once, and
        # the columns are gathered from the distinct values.
        for field, column in (("family_name", "family"), ("given_name", "given")):
            index, distinct = _factorize([r.get(field) or "" for r in rows])
            distinct_parts = [names.parts(v) for v in distinct]
            folded = ["".join(p) for p in distinct_parts]
            parts = np.empty(len(distinct), dtype=object)
            parts[:] = [tuple(p) for p in distinct_parts]
            setattr(self, column, np.array(folded, dtype=object)[index])
            setattr(self, f"{column}_parts", parts[index])
            setattr(self, f"{column}_code", codes(folded)[index])
            setattr(
                self, f"{column}_first", codes([p[0] if p else "" for p in distinct_parts])[index]
            )
            keys = [names.phonetic(p[0]) if p else "" for p in distinct_parts]
            setattr(self, f"{column}_key", codes(keys)[index])

        def coded(field: str, prefix: str, key=str) -> np.ndarray:
            index, distinct = _factorize([r.get(field) for r in rows])
            values = [key(v) if v else "" for v in distinct]
            return codes([f"{prefix}:{v}" if v else "" for v in values])[index]

        self.sex = coded("sex", "sex")
        self.phone = coded("phone", "tel", names.phone_key)
        self.area = coded("area_id", "area")
        # The areas holding it (cercle and region of a commune), to compare with the areas of
        # records that stop at a higher level.
        self.area_up = coded("area_parent_id", "area")
        self.area_top = coded("area_grandparent_id", "area")
        self.household = coded("household_id", "hh")
        index, distinct = _factorize([r.get("birth_date") for r in rows])
        self.birth = np.array([b.toordinal() if b else -1 for b in distinct], np.int64)[index]
        self.year = np.array([b.year if b else -1 for b in distinct], np.int64)[index]
        self.estimated = np.array([bool(r.get("birth_date_estimated")) for r in rows], dtype=bool)
        # Other fields compared as strings (addresses, identifiers): folded text and codes.
        for name in strings:
            index, distinct = _factorize([str(r.get(name) or "") for r in rows])
            values = [" ".join(names.parts(v)) for v in distinct]
            setattr(self, name, np.array(values, dtype=object)[index])
            setattr(
                self, f"{name}_code", codes([f"{name}:{v}" if v else "" for v in values])[index]
            )
        # The spelling of each code, when asked for (a million records' names and phones).
        self.vocab = vocab if spellings else {}
        self.vocab_size = len(vocab)
        self.counts: dict[str, np.ndarray] = {}

    def frequencies(self, column: str) -> np.ndarray:
        """Share of the records having each value of ``column`` (indexed by code)."""
        if column not in self.counts:
            values = getattr(self, column)
            counts = np.bincount(values[values >= 0], minlength=self.vocab_size + 1)
            self.counts[column] = counts / max(len(values), 1)
        return self.counts[column]


# --- Scoring pairs -----------------------------------------------------------------------------


@dataclasses.dataclass
class Scored:
    """Pairs (index arrays into the frames) with their evidence and probability."""

    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray
    probability: np.ndarray
    levels: dict[str, np.ndarray]
    swapped: np.ndarray


def _jw(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sim = JaroWinkler.normalized_similarity
    return np.fromiter((sim(x, y) for x, y in zip(a, b, strict=True)), float, len(a))


def _name_level(
    comparison: Comparison,
    left: Frame,
    right: Frame,
    i: np.ndarray,
    j: np.ndarray,
    column: str,
    other: str,
    tf: dict[str, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Level index and weight of each pair for one name (``column`` of left vs ``other`` of
    right: the same field, or the other one when testing a swap)."""
    lc, rc = getattr(left, f"{column}_code")[i], getattr(right, f"{other}_code")[j]
    lk, rk = getattr(left, f"{column}_key")[i], getattr(right, f"{other}_key")[j]
    lf, rf = getattr(left, f"{column}_first")[i], getattr(right, f"{other}_first")[j]
    levels = comparison.levels
    n = len(i)
    level = np.full(n, len(levels) - 1, dtype=np.int8)
    null = (lc < 0) | (rc < 0)
    todo = ~null
    exact = todo & (lc == rc)
    level[exact] = 0
    todo &= ~exact
    parts = todo & (lf == rf) & (lf >= 0)
    if parts.any():
        lp = getattr(left, f"{column}_parts")
        rp = getattr(right, f"{other}_parts")
        idx = np.flatnonzero(parts)
        # One check per distinct pair of spellings.
        _unique, first_index, inverse = np.unique(
            lc[idx] * (left.vocab_size + 1) + rc[idx], return_index=True, return_inverse=True
        )
        first = idx[first_index]
        keep = np.fromiter(
            (set(lp[i[k]]) <= set(rp[j[k]]) or set(rp[j[k]]) <= set(lp[i[k]]) for k in first),
            bool,
            len(first),
        )[inverse]
        parts[idx[~keep]] = False
    level[parts] = 1
    todo &= ~parts
    phon = todo & (lk == rk) & (lk >= 0)
    level[phon] = 2
    todo &= ~phon
    if todo.any():
        idx = np.flatnonzero(todo)
        # Distinct pairs of spellings are far fewer than pairs of records.
        pair_codes = lc[idx] * (left.vocab_size + 1) + rc[idx]
        unique, inverse = np.unique(pair_codes, return_inverse=True)
        first = idx[np.unique(inverse, return_index=True)[1]]
        lv = getattr(left, column)[i[first]]
        rv = getattr(right, other)[j[first]]
        sim = _jw(lv, rv)[inverse]
        level[idx[sim >= 0.92]] = 3
        level[idx[(sim >= 0.85) & (sim < 0.92)]] = 4
    m = np.array([lv.m for lv in levels])
    u = np.array([lv.u for lv in levels])
    pm, pu = m[level], u[level]
    if tf is not None:
        # Agreeing on a common name is weaker evidence: the chance that two different persons
        # share this name's key is its frequency, shared among the levels that agree on the key.
        freq = tf[f"{column}_key"][np.maximum(lk, 0)]
        is_tf = np.array([lv.tf for lv in levels])
        share = np.where(is_tf, u / u[is_tf].sum(), 0.0)[level]
        pu = np.where(is_tf[level], np.maximum(freq * share, 1e-7), pu)
    weight = np.log2(pm / pu)
    weight[null] = 0.0
    level[null] = -1
    return level, weight


def _exact_level(comparison, left, right, i, j, tf):
    column = comparison.columns[0]
    lv, rv = getattr(left, column)[i], getattr(right, column)[j]
    null = (lv < 0) | (rv < 0)
    agree = lv == rv
    level = np.where(agree, 0, 1).astype(np.int8)
    exact, other = comparison.levels[0], comparison.levels[-1]
    pu = np.full(len(i), exact.u)
    if exact.tf and tf is not None and column in tf:
        pu = np.maximum(tf[column][np.maximum(lv, 0)], 1e-7)
    weight = np.where(agree, np.log2(exact.m / pu), other.weight)
    weight[null] = 0.0
    level[null] = -1
    return level, weight


def _area_level(comparison, left, right, i, j):
    """Levels exact / within (one area holds the other) / else; -1 when an area is unknown."""
    la, ra = left.area[i], right.area[j]
    null = (la < 0) | (ra < 0)
    within = (la == right.area_up[j]) | (la == right.area_top[j])
    within |= (ra == left.area_up[i]) | (ra == left.area_top[i])
    level = np.where(la == ra, 0, np.where(within, 1, 2)).astype(np.int8)
    weights = np.array([lvl.weight for lvl in comparison.levels])
    weight = weights[level]
    weight[null] = 0.0
    level[null] = -1
    return level, weight


def _string_level(comparison, frame, i, j, tf):
    """Levels exact / close (one edit, or Jaro-Winkler >= 0.92) / fair (>= 0.8) / else."""
    column = comparison.columns[0]
    codes = getattr(frame, f"{column}_code")
    lc, rc = codes[i], codes[j]
    null = (lc < 0) | (rc < 0)
    level = np.full(len(i), len(comparison.levels) - 1, dtype=np.int8)
    exact = ~null & (lc == rc)
    level[exact] = 0
    todo = np.flatnonzero(~null & ~exact)
    if len(todo):
        pair_codes = lc[todo] * (frame.vocab_size + 1) + rc[todo]
        _unique, first_index, inverse = np.unique(
            pair_codes, return_index=True, return_inverse=True
        )
        first = todo[first_index]
        values = getattr(frame, column)
        a, b = values[i[first]], values[j[first]]
        jw = _jw(a, b)[inverse]
        edits = np.fromiter(
            (Levenshtein.distance(x, y, score_cutoff=2) for x, y in zip(a, b, strict=True)),
            np.int64,
            len(a),
        )[inverse]
        codes_ = [lv.code for lv in comparison.levels]
        if "fair" in codes_:
            level[todo[jw >= 0.8]] = codes_.index("fair")
        level[todo[(jw >= 0.92) | (edits <= 1)]] = codes_.index("close")
    weights = np.array([lv.weight for lv in comparison.levels])[level]
    first_level = comparison.levels[0]
    if first_level.tf and tf is not None and f"{column}_code" in tf:
        freq = tf[f"{column}_code"][np.maximum(lc, 0)]
        weights = np.where(exact, np.log2(first_level.m / np.maximum(freq, 1e-7)), weights)
    weights[null] = 0.0
    level[null] = -1
    return level, weights


def _date_level(comparison, left, right, i, j):
    lb, rb = left.birth[i], right.birth[j]
    null = (lb < 0) | (rb < 0)
    diff = np.abs(lb - rb)
    estimated = left.estimated[i] | right.estimated[j]
    same_year = ~null & (left.year[i] == right.year[j])
    codes = [lv.code for lv in comparison.levels]
    level = np.full(len(i), codes.index("else"), dtype=np.int8)
    conditions = [
        ("two", diff <= 760),
        ("estimated", estimated & (diff <= 5 * 366)),
        ("one", diff <= 400),
        ("year", same_year),
        ("exact", (diff == 0) & ~estimated),
    ]
    for code, condition in conditions:  # from the weakest, so the strongest wins
        level[condition] = codes.index(code)
    weights = np.array([lv.weight for lv in comparison.levels])[level]
    weights[null] = 0.0
    level[null] = -1
    return level, weights


def score_pairs(
    frame: Frame,
    i: np.ndarray,
    j: np.ndarray,
    *,
    model: Model = MODEL,
    n_records: int | None = None,
) -> Scored:
    """Evidence and probability of each pair of records (``frame[i[k]]``, ``frame[j[k]]``).

    Name frequencies are those of the frame, or those set in ``frame.counts`` beforehand."""
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    left = right = frame
    n_records = n_records if n_records is not None else frame.n
    tf = None
    if frame.n >= model.tf_min_records or frame.counts:
        tf = {
            column: frame.frequencies(column)
            for column in ("family_key", "given_key", "phone", "household")
        }
        for comparison in model.comparisons:
            if comparison.kind == "string" and comparison.levels[0].tf:
                column = f"{comparison.columns[0]}_code"
                tf[column] = frame.frequencies(column)
    total = np.full(len(i), model.prior_weight(n_records))
    levels: dict[str, np.ndarray] = {}
    name_comparisons = [c for c in model.comparisons if c.kind == "names"]
    straight = np.zeros(len(i))
    swapped = np.zeros(len(i))
    straight_levels, swapped_levels = {}, {}
    for comparison in name_comparisons:
        column, other = comparison.columns
        lvl, w = _name_level(comparison, left, right, i, j, column, column, tf)
        straight_levels[comparison.name], straight = lvl, straight + w
        lvl, w = _name_level(comparison, left, right, i, j, column, other, tf)
        swapped_levels[comparison.name], swapped = lvl, swapped + w
    is_swapped = swapped > straight + 1.0
    for comparison in name_comparisons:
        levels[comparison.name] = np.where(
            is_swapped, swapped_levels[comparison.name], straight_levels[comparison.name]
        )
    total += np.where(is_swapped, swapped, straight)
    phone_weight = np.zeros(len(i))
    for comparison in model.comparisons:
        if comparison.kind == "names":
            continue
        if comparison.kind == "date":
            lvl, w = _date_level(comparison, left, right, i, j)
        elif comparison.kind == "string":
            lvl, w = _string_level(comparison, frame, i, j, tf)
        elif comparison.kind == "area":
            lvl, w = _area_level(comparison, left, right, i, j)
        else:
            lvl, w = _exact_level(comparison, left, right, i, j, tf)
        levels[comparison.name] = lvl
        total += w
        if comparison.name == "phone":
            phone_weight = w
    if "household" in levels and "phone" in levels:
        # In one household the phone is the household's: it says nothing more.
        same_household = levels["household"] == 0
        total -= np.where(same_household & (phone_weight > 0), phone_weight, 0.0)
    guarded = _guarded(left, right, i, j, levels)
    total = np.where(guarded, -60.0, total)
    probability = np.where(guarded, 0.0, 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60))))
    return Scored(i, j, total, probability, levels, is_swapped)


def _guarded(left, right, i, j, levels) -> np.ndarray:
    """Pairs that are never the same person: twins, and parent and child of the same name.

    Twins: born the same day, different given names (not a spelling or transliteration
    variant), in one household or of one family name.
    """
    lb, rb = left.birth[i], right.birth[j]
    known = (lb > 0) & (rb > 0)
    generation = known & (np.abs(lb - rb) >= GENERATION_DAYS)
    n = len(i)
    given = levels.get("given", np.full(n, -1))
    family = levels.get("family", np.full(n, -1))
    given_differs = given >= 4
    same_day = known & (lb == rb)
    household = (left.household[i] >= 0) & (left.household[i] == right.household[j])
    one_family = (family >= 0) & (family <= 2)
    twins = same_day & given_differs & (household | one_family)
    return generation | twins


def reasons_for(scored: Scored, k: int, model: Model = MODEL) -> list[str]:
    """The reasons of pair ``k`` as codes ("family:phonetic", "swapped"): the agreeing levels
    that carry a reason. ``reason_labels`` gives them in the user's language."""
    reasons = ["swapped"] if scored.swapped[k] else []
    for comparison in model.comparisons:
        index = int(scored.levels[comparison.name][k])
        if index >= 0 and comparison.levels[index].reason:
            reasons.append(f"{comparison.name}:{comparison.levels[index].code}")
    return reasons


def reason_labels(codes: Iterable[str], model: Model = MODEL) -> list[str]:
    """Reason codes in the active language; an unknown code (an older model's) is left out."""
    labels = {"swapped": SWAPPED_REASON, "progres": PROGRES_REASON}
    for comparison in model.comparisons:
        for level in comparison.levels:
            if level.reason:
                labels[f"{comparison.name}:{level.code}"] = level.reason
    return [str(labels[code]) for code in codes if code in labels]


# --- Estimating m and u from a registry, without known duplicates -----------------------------


def estimate_u(frame: Frame, model: Model = MODEL, pairs: int = 200_000, seed: int = 0) -> Model:
    """u of each level measured on random pairs (almost all of them different persons)."""
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, frame.n, pairs), rng.integers(0, frame.n, pairs)
    keep = i != j
    levels = score_pairs(frame, i[keep], j[keep], model=model).levels
    comparisons = []
    for comparison in model.comparisons:
        found = levels[comparison.name]
        found = found[found >= 0]
        counts = np.bincount(found, minlength=len(comparison.levels)) + 0.5
        u = counts / counts.sum()
        comparisons.append(
            dataclasses.replace(
                comparison,
                levels=tuple(
                    dataclasses.replace(level, u=float(u[k]))
                    for k, level in enumerate(comparison.levels)
                ),
            )
        )
    return dataclasses.replace(model, comparisons=tuple(comparisons))


def estimate_m(
    frame: Frame,
    i: np.ndarray,
    j: np.ndarray,
    model: Model = MODEL,
    *,
    total_pairs: int,
    n_records: int,
    iterations: int = 15,
) -> Model:
    """m of each level by expectation maximisation over blocked pairs (u kept), as splink does;
    the prior follows from the share of blocked pairs found to match, out of ``total_pairs``
    possible pairs (expressed per record among ``n_records``)."""
    levels = score_pairs(frame, i, j, model=model).levels
    n_pairs = len(i)
    match_share = 0.1
    current = model
    for _round in range(iterations):
        log_m = np.zeros(n_pairs)
        log_u = np.zeros(n_pairs)
        for comparison in current.comparisons:
            found = levels[comparison.name]
            m = np.array([lv.m for lv in comparison.levels])
            u = np.array([lv.u for lv in comparison.levels])
            known = found >= 0
            log_m[known] += np.log(m[found[known]])
            log_u[known] += np.log(u[found[known]])
        odds = np.exp(np.clip(log_m - log_u, -50, 50)) * match_share / (1 - match_share)
        posterior = odds / (1 + odds)
        match_share = float(np.clip(posterior.mean(), 1e-6, 0.999))
        comparisons = []
        for comparison in current.comparisons:
            found = levels[comparison.name]
            known = found >= 0
            weights = np.bincount(
                found[known], weights=posterior[known], minlength=len(comparison.levels)
            )
            m = (weights + 0.01) / (weights.sum() + 0.01 * len(weights))
            comparisons.append(
                dataclasses.replace(
                    comparison,
                    levels=tuple(
                        dataclasses.replace(level, m=float(m[k]))
                        for k, level in enumerate(comparison.levels)
                    ),
                )
            )
        current = dataclasses.replace(current, comparisons=tuple(comparisons))
    prior = match_share * n_pairs / total_pairs
    return dataclasses.replace(
        current, duplicate_rate=prior * max(n_records, model.prior_min_records)
    )


# --- Blocking and batch scan -------------------------------------------------------------------


def _pairs_within(keys: np.ndarray, max_block: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i < j) of records sharing a key (-1: no key), blocks above ``max_block``
    records left out (they are covered by finer keys)."""
    valid = np.flatnonzero(keys >= 0)
    if len(valid) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = valid[np.argsort(keys[valid], kind="stable")]
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    keep = (sizes >= 2) & (sizes <= max_block)
    lefts, rights = [], []
    for size in np.unique(sizes[keep]):
        block_starts = starts[keep & (sizes == size)]
        a, b = np.triu_indices(size, k=1)
        lefts.append(order[(block_starts[:, None] + a[None, :]).ravel()])
        rights.append(order[(block_starts[:, None] + b[None, :]).ravel()])
    if not lefts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(lefts), np.concatenate(rights)


def _combine(*columns: np.ndarray) -> np.ndarray:
    """One integer key from several integer columns (-1 when any is missing); equal keys mean
    equal columns as long as each column is below a million (codes, day numbers)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    missing = np.zeros(len(columns[0]), dtype=bool)
    for column in columns:
        missing |= column < 0
        key = key * 1_000_003 + column
    key[missing] = -1
    return key


def _sorted_blocks(keys: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The records having a key (-1: none), sorted by key then ``order``, with their keys."""
    valid = np.flatnonzero(keys >= 0)
    sorted_idx = valid[np.lexsort((order[valid], keys[valid]))]
    return sorted_idx, keys[sorted_idx]


def _pairs_window(
    sorted_idx: np.ndarray, sorted_keys: np.ndarray, window: int, out: np.ndarray, n: int
) -> int:
    """Write into ``out`` the pairs of records sharing a key that are at most ``window`` apart
    once sorted by key then date of birth (sorted neighbourhood: a large block of a common name
    gives each record its nearest ``window`` neighbours, not every pair of the block); returns
    how many. A pair is one integer, ``i * n + j`` (i < j): a million records give tens of
    millions of pairs, and memory is counted by the pair."""
    written = 0
    for d in range(1, window + 1):
        same = np.flatnonzero(sorted_keys[d:] == sorted_keys[:-d])
        a, b = sorted_idx[same], sorted_idx[same + d]
        code = out[written : written + len(same)]
        np.minimum(a, b, out=code)
        code *= n
        code += np.maximum(a, b)
        written += len(same)
    return written


def blocking_keys(frame: Frame) -> list[tuple[np.ndarray, int]]:
    """The blocking keys with their windows: names either way round; phone; given name; family
    name; the exact spellings of the first parts. Each record is paired with its neighbours by
    date of birth within each key."""
    low = np.minimum(frame.family_key, frame.given_key)
    high = np.maximum(frame.family_key, frame.given_key)
    low = np.where((frame.family_key < 0) | (frame.given_key < 0), -1, low)
    return [
        (_combine(low, high), 8),
        (_combine(frame.phone), 3),
        (_combine(frame.given_key, frame.sex), 3),
        (_combine(frame.family_key, frame.sex), 3),
        (_combine(frame.given_first, frame.family_first), 2),
    ]


def blocking_pairs(frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j) of a frame, from every blocking key, each pair once.

    The pairs of all the keys are written into one array sized for the most they can be, then
    sorted to drop the pairs found by several keys."""
    birth = np.where(frame.birth > 0, frame.birth, 0)
    keys = blocking_keys(frame)
    most = sum(max(np.count_nonzero(key >= 0) - 1, 0) * window for key, window in keys)
    pair = np.empty(most, np.int64)
    written = 0
    for key, window in keys:
        sorted_idx, sorted_keys = _sorted_blocks(key, birth)
        written += _pairs_window(sorted_idx, sorted_keys, window, pair[written:], frame.n)
    del keys
    pair = pair[:written]
    pair.sort()
    if written:
        pair = pair[np.r_[True, pair[1:] != pair[:-1]]]
    left = pair // frame.n
    pair %= frame.n  # the right sides, in place
    return left, pair


def scan(
    frame: Frame,
    *,
    model: Model = MODEL,
    threshold: float | None = None,
    chunk: int = 250_000,
    probes: int | None = None,
    n_records: int | None = None,
    heartbeat: Callable[[], None] | None = None,
) -> Scored:
    """The likely duplicate pairs of a frame of records (probability >= threshold).

    With ``probes``, only the pairs involving one of the first ``probes`` records (new records
    linked to the persons that follow them in the frame); ``n_records`` is the size of the
    registry they join (the frame's size by default). Pairs are scored in chunks so that memory
    stays bounded whatever the registry's size; ``heartbeat`` is called after each chunk."""
    threshold = model.threshold if threshold is None else threshold
    i, j = blocking_pairs(frame)
    kept: list[Scored] = []
    for start in range(0, len(i), chunk):
        left, right = i[start : start + chunk], j[start : start + chunk]
        if probes is not None:
            # Pairs come as i < j: a pair involves a probe when i is one.
            keep = left < probes
            left, right = left[keep], right[keep]
        scored = score_pairs(frame, left, right, model=model, n_records=n_records)
        keep = scored.probability >= threshold
        kept.append(
            Scored(
                scored.left[keep],
                scored.right[keep],
                scored.weight[keep],
                scored.probability[keep],
                {name: level[keep] for name, level in scored.levels.items()},
                scored.swapped[keep],
            )
        )
        if heartbeat is not None:
            heartbeat()
    if not kept:
        empty = np.empty(0, np.int64)
        return Scored(empty, empty, np.empty(0), np.empty(0), {}, np.empty(0, bool))
    return Scored(
        np.concatenate([k.left for k in kept]),
        np.concatenate([k.right for k in kept]),
        np.concatenate([k.weight for k in kept]),
        np.concatenate([k.probability for k in kept]),
        {name: np.concatenate([k.levels[name] for k in kept]) for name in kept[0].levels},
        np.concatenate([k.swapped for k in kept]),
    )


# --- One record against the registry -----------------------------------------------------------

PERSON_COLUMNS = ("id", *COMPARED, "household_id")


def area_lineage(ids: Iterable[int]) -> dict[int, tuple[int | None, int | None]]:
    """The parent and grandparent of each area, in one query (on the small table of areas, not
    joined to the persons)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = Area.objects.filter(pk__in=ids).values_list("pk", "parent_id", "parent__parent_id")
    return {pk: (parent, grandparent) for pk, parent, grandparent in rows}


def with_lineage(rows: list) -> list:
    """Give each row (a dict of a person, or a ``Record``) the parent and grandparent of its
    area, which the area comparison reads."""
    lineage = area_lineage(row.get("area_id") for row in rows)
    for row in rows:
        row["area_parent_id"], row["area_grandparent_id"] = lineage.get(
            row.get("area_id"), (None, None)
        )
    return rows


@dataclasses.dataclass
class Match:
    """A person of the registry who may be the record checked; ``reasons`` are codes."""

    person_id: int
    score: float
    reasons: list[str]

    @property
    def reason_labels(self) -> list[str]:
        return reason_labels(self.reasons)


def _registry_size(persons) -> int:
    if connection.vendor == "postgresql":
        # Counting a million rows takes longer than the whole check: the planner's estimate is
        # close enough for a prior and for name frequencies.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [persons.model._meta.db_table],
            )
            estimate = cursor.fetchone()[0]
        if estimate and estimate > 0:
            return int(estimate)
    return persons.count()


# Candidates taken from each block, nearest to the checked record's date of birth first: in a
# registry of a million persons a common name (Mamadou Traoré) fills a block with thousands of
# persons, and the one registered again is among those born nearest.
NEAR_BIRTH = 60
PHONE_CANDIDATES = 60


def _nearest(block, birth: datetime.date | None, k: int | None = None) -> list[int]:
    """Up to ``k`` (``NEAR_BIRTH``) ids of ``block`` on each side of ``birth`` (an ordered index
    scan each), and a few without a date of birth."""
    k = k or NEAR_BIRTH
    ids = block.order_by().values_list("pk", flat=True)
    if birth is None:
        return list(ids[: 2 * k])
    return [
        *ids.filter(birth_date__gte=birth).order_by("birth_date")[:k],
        *ids.filter(birth_date__lt=birth).order_by("-birth_date")[:k],
        *ids.filter(birth_date__isnull=True)[: k // 4],
    ]


def candidate_rows(data: dict, *, exclude_ids: Iterable[int] = ()) -> list[dict]:
    """Rows of the registry sharing a blocking key with ``data``: the same phone, the same
    names (in either order), the same family name and date of birth, or the same given name
    within five years of the date of birth; from each block the persons born nearest. Each
    block is one or two indexed queries, whatever the size of the registry."""
    family, given = data.get("family_name") or "", data.get("given_name") or ""
    fam, giv = names.name_key(family), names.name_key(given)
    phone = names.phone_key(data.get("phone") or "")
    birth = data.get("birth_date")
    active = Person.objects.filter(merged_into__isnull=True)
    ids: list[int] = []
    progres = (data.get("progres") or "").strip()
    if progres:
        holders = ExternalId.objects.filter(scheme=ExternalId.Scheme.PROGRES, value=progres)
        ids += active.filter(pk__in=holders.values("person_id")).values_list("pk", flat=True)
    if phone:
        ids += active.filter(match_phone=phone).values_list("pk", flat=True)[:PHONE_CANDIDATES]
    if fam and giv:
        ids += _nearest(active.filter(match_family=fam, match_given=giv), birth)
        if fam != giv:
            ids += _nearest(active.filter(match_family=giv, match_given=fam), birth)
    if birth and fam:
        ids += active.filter(match_family=fam, birth_date=birth).values_list("pk", flat=True)[
            :NEAR_BIRTH
        ]
    if birth and giv:
        span = datetime.timedelta(days=5 * 366)
        ids += _nearest(
            active.filter(match_given=giv, birth_date__range=(birth - span, birth + span)),
            birth,
            max(NEAR_BIRTH // 2, 1),
        )
    excluded = set(exclude_ids)
    wanted = list(dict.fromkeys(i for i in ids if i not in excluded))
    if not wanted:
        return []
    return list(active.filter(pk__in=wanted).order_by("pk").values(*PERSON_COLUMNS))


def likely_matches(user, data: dict, limit: int = 10, threshold: float | None = None):
    """Persons visible to ``user`` who may be the person described by ``data``, best first.

    ``data`` holds family_name, given_name, sex, birth_date, and optionally
    birth_date_estimated, phone, area, household, progres and exclude (a person to leave out).
    Candidates come from indexed blocking queries over the whole registry; only those the user
    may see are returned. Each ``Match`` has the score (0..1) and the reasons, in the user's
    language.
    """
    threshold = MODEL.registration_threshold if threshold is None else threshold
    exclude = data.get("exclude")
    rows = candidate_rows(data, exclude_ids=[exclude.pk] if exclude is not None else [])
    if not rows:
        return []
    area = data.get("area")
    household = data.get("household")
    probe = {
        **data,
        "id": 0,
        "area_id": getattr(area, "pk", area),
        "household_id": getattr(household, "pk", household),
    }
    frame = Frame(with_lineage([probe, *rows]))
    persons = Person.objects.filter(merged_into__isnull=True)
    n_records = _registry_size(persons)
    if n_records >= MODEL.tf_min_records:
        _registry_frequencies(frame, probe, persons, n_records)
    others = np.arange(1, len(rows) + 1)
    scored = score_pairs(frame, np.zeros(len(rows), np.int64), others, n_records=n_records)
    progres_holders = _progres_holders(data)
    found = []
    for k in range(len(rows)):
        person_id = int(frame.ids[k + 1])
        probability = float(scored.probability[k])
        reasons = reasons_for(scored, int(k))
        if person_id in progres_holders:
            probability = max(probability, 0.99)
            reasons.insert(0, "progres")
        if probability >= threshold:
            found.append(Match(person_id, probability, reasons))
    found.sort(key=lambda m: -m.score)
    visible = set(
        Person.objects.visible_to(user)
        .filter(pk__in=[m.person_id for m in found[: limit * 3]])
        .values_list("pk", flat=True)
    )
    return [m for m in found if m.person_id in visible][:limit]


def _progres_holders(data: dict) -> set[int]:
    progres = (data.get("progres") or "").strip()
    if not progres:
        return set()
    holders = ExternalId.objects.filter(scheme=ExternalId.Scheme.PROGRES, value=progres)
    return set(holders.values_list("person_id", flat=True))


# How long a name's count in the registry is kept: it weighs the evidence of a shared name and
# moves little in an hour, while counting a common name (Mamadou, Traoré) reads many rows.
VALUE_COUNT_SECONDS = 3600


def _value_count(persons, field: str, value: str) -> int:
    key = f"suivi:match-count:{field}:{hashlib.sha256(value.encode()).hexdigest()[:24]}"
    count = cache.get(key)
    if count is None:
        count = persons.filter(**{field: value}).count()
        cache.set(key, count, VALUE_COUNT_SECONDS)
    return count


def _registry_frequencies(frame: Frame, probe: dict, persons, n_records: int) -> None:
    """Frequencies of the probe's name keys and phone over the whole registry (indexed counts);
    the comparisons read the frequency of the checked record's value."""
    values = {
        "family_key": ("match_family", names.name_key(probe.get("family_name") or "")),
        "given_key": ("match_given", names.name_key(probe.get("given_name") or "")),
        "phone": ("match_phone", names.phone_key(probe.get("phone") or "")),
    }
    for column, (field, value) in values.items():
        freq = np.zeros(frame.vocab_size + 1)
        code = int(getattr(frame, column)[0])
        if code >= 0 and value:
            freq[code] = _value_count(persons, field, value) / n_records
        frame.counts[column] = freq
    frame.counts["household"] = np.zeros(frame.vocab_size + 1)


# --- Many new records against the registry and each other -------------------------------------

# A namesake born more than this many years from a new record is not fetched by name alone.
LINK_BIRTH_YEARS = 5
# Parameters of one candidate query (SQLite's limit is 32,766; its expression depth 1,000).
LINK_QUERY_PARAMS = 900


@dataclasses.dataclass
class Link:
    """A likely pair of a new record (``row``, its index) and either a person of the registry
    (``person_id``) or another new record (``other_row``, a smaller index); reasons are codes."""

    row: int
    score: float
    reasons: list[str]
    person_id: int | None = None
    other_row: int | None = None


def _keys_of(row: dict, known: dict[str, str]) -> tuple[str, str, str]:
    """The stored blocking keys of a record (``known``: name keys already computed)."""
    keys = []
    for field in ("family_name", "given_name"):
        name = row.get(field) or ""
        if name not in known:
            known[name] = names.name_key(name)[:40]
        keys.append(known[name])
    return keys[0], keys[1], names.phone_key(row.get("phone") or "")


def _year_spans(years: list[int | None]) -> list[tuple[int, int] | None]:
    """Birth years widened by ``LINK_BIRTH_YEARS`` and merged where they overlap; ``[None]``
    when a date is unknown (every namesake is a candidate)."""
    if any(year is None for year in years):
        return [None]
    spans: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        low, high = year - LINK_BIRTH_YEARS, year + LINK_BIRTH_YEARS
        if spans and low <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], high)
        else:
            spans.append((low, high))
    return spans


def _fetch_terms(
    persons, terms: list[tuple[Q, int]], found: dict[int, dict], heartbeat=None
) -> None:
    """Rows of ``persons`` matching any of ``terms`` (each with its number of parameters), a
    few hundred terms per query."""
    group, params = Q(), 0
    for term, size in [*terms, (None, LINK_QUERY_PARAMS)]:
        if group and (term is None or params + size > LINK_QUERY_PARAMS):
            for row in persons.filter(group).values(*PERSON_COLUMNS):
                found.setdefault(row["id"], row)
            group, params = Q(), 0
            if heartbeat is not None:
                heartbeat()
        if term is not None:
            group |= term
            params += size


def registry_candidates(rows: Sequence[dict], persons, heartbeat=None) -> list[dict]:
    """The persons of ``persons`` sharing a blocking key with one of ``rows`` (records not yet
    in the registry), fetched with indexed queries over many rows at a time, never one query per
    row: the names either way round, born within ``LINK_BIRTH_YEARS`` of a record of those
    names (or a date unknown); the phone; the family or the given name with the same date of
    birth. The keys of all the rows are gathered first, so a name shared by many rows is one
    term; the terms go a few hundred to a query (``heartbeat`` is called after each). The
    frame's blocking then pairs the persons with the rows as the scan does."""
    by_names: dict[tuple[str, str], list[int | None]] = {}
    phones: set[str] = set()
    # Days of birth by name key: one term per key, not per day (Django builds a query in time
    # proportional to its terms).
    days: dict[tuple[str, str], set[datetime.date]] = {}
    known: dict[str, str] = {}
    for row in rows:
        family, given, phone = _keys_of(row, known)
        birth = row.get("birth_date")
        if family and given:
            pair = (min(family, given), max(family, given))
            by_names.setdefault(pair, []).append(birth.year if birth else None)
        if phone:
            phones.add(phone)
        if birth and not row.get("birth_date_estimated"):
            if family:
                days.setdefault(("match_family", family), set()).add(birth)
            if given:
                days.setdefault(("match_given", given), set()).add(birth)
    terms: list[tuple[Q, int]] = []
    for (low, high), years in by_names.items():
        same = Q(match_family=low, match_given=high)
        if low != high:
            same |= Q(match_family=high, match_given=low)
        for span in _year_spans(years):
            if span is None:
                terms.append((same, 4))
                continue
            born = Q(birth_date__isnull=True) | Q(
                birth_date__range=(
                    datetime.date(max(span[0], 1), 1, 1),
                    datetime.date(min(span[1], 9999), 12, 31),
                )
            )
            terms.append((same & born, 6))
    ordered = sorted(phones)
    for start in range(0, len(ordered), 500):
        part = ordered[start : start + 500]
        terms.append((Q(match_phone__in=part), len(part)))
    for (field, key), born in days.items():
        ordered = sorted(born)
        for start in range(0, len(ordered), 500):
            part = ordered[start : start + 500]
            terms.append((Q(**{field: key, "birth_date__in": part}), 1 + len(part)))
    found: dict[int, dict] = {}
    _fetch_terms(persons, terms, found, heartbeat)
    return list(found.values())


def _link_frequencies(frame: Frame, probes: int, persons, n_records: int) -> None:
    """Frequencies over the registry and the new records together (indexed counts): what the
    scan would read once the records are registered. Only the records' values are counted: a
    pair's frequency is read on its left side, always a record. ``persons`` None: the registry
    is empty, the records alone are counted."""
    spelled = {code: value for value, code in frame.vocab.items()}
    for column, field, prefix in (
        ("family_key", "match_family", ""),
        ("given_key", "match_given", ""),
        ("phone", "match_phone", "tel:"),
    ):
        codes = getattr(frame, column)
        new = codes[:probes]
        present = np.unique(new[new >= 0])
        keys = {spelled[int(code)][len(prefix) :]: int(code) for code in present}
        counts = np.bincount(new[new >= 0], minlength=frame.vocab_size + 1).astype(float)
        ordered = sorted(k for k in keys if k) if persons is not None else []
        for start in range(0, len(ordered), 500):
            part = ordered[start : start + 500]
            rows = (
                persons.filter(**{f"{field}__in": part})
                .values(field)
                .annotate(n=Count("pk"))
                .values_list(field, "n")
            )
            for value, n in rows:
                counts[keys[value]] += n
        frame.counts[column] = counts / n_records
    frame.counts["household"] = np.zeros(frame.vocab_size + 1)


def link(
    rows: Sequence[dict],
    *,
    persons,
    threshold: float | None = None,
    model: Model = MODEL,
    heartbeat: Callable[[], None] | None = None,
) -> list[Link]:
    """The likely pairs of new records (``rows``: a partner's list being imported) with the
    persons of the registry (``persons``, a queryset) and with each other.

    The batch scan, not a second matcher: one frame of the records followed by the persons
    sharing a blocking key with them (``registry_candidates``), blocked and scored as ``scan``
    does (pairs in chunks), keeping the pairs that involve a record. The prior and
    the name frequencies are those of the registry with the records added. Pairs come best
    first. ``heartbeat`` is called after each chunk of work (long lists take minutes)."""
    threshold = model.threshold if threshold is None else threshold
    if not rows:
        return []
    # A first list into an empty registry is only compared with itself.
    registry = persons.exists()
    found = with_lineage(registry_candidates(rows, persons, heartbeat)) if registry else []
    probes = len(rows)
    # The records come first: an index below ``probes`` is a record (their ids are not read).
    frame = Frame([*rows, *found], spellings=True)
    n_records = (_registry_size(persons) if registry else 0) + probes
    if n_records >= model.tf_min_records:
        _link_frequencies(frame, probes, persons if registry else None, n_records)
    frame.vocab = {}  # read by the frequencies only
    scored = scan(
        frame,
        model=model,
        threshold=threshold,
        probes=probes,
        n_records=n_records,
        heartbeat=heartbeat,
    )
    links = []
    for k in range(len(scored.left)):
        left, right = int(scored.left[k]), int(scored.right[k])
        link_ = Link(row=left, score=float(scored.probability[k]), reasons=reasons_for(scored, k))
        if right < probes:
            # Two records of the list: the later one looks like the earlier one.
            link_.row, link_.other_row = right, left
        else:
            link_.person_id = int(frame.ids[right])
        links.append(link_)
    links.sort(key=lambda x: (-x.score, x.row))
    return links
