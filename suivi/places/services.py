"""Workflows on places: loading the administrative areas and adding sites.

Areas are reference data shared by every organisation, identified by their OCHA P-codes. They
come from a CSV file of the columns in ``AREA_COLUMNS``; Suivi ships the admin 1 and 2 areas of
Mali and Mauritania in ``data/areas.csv``.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from suivi.accounts.models import Role, scopes_for
from suivi.audit import services as audit
from suivi.lib.text import bare
from suivi.places.models import Area, Site

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_AREAS = DATA / "areas.csv"
AREA_COLUMNS = ("pcode", "country", "level", "parent_pcode", "name_fr", "name_en", "valid_from")
PCODE = re.compile(r"^[A-Z]{2}[0-9]*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME_LENGTH = Area._meta.get_field("name_fr").max_length

# Roles that may add sites, whatever their organisation: sites are shared reference data.
SITE_EDITOR_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER, Role.ME_OFFICER, Role.PROJECT_ASSISTANT}
)


def pcode_lengths() -> dict[str, list[int]]:
    """Digits each level adds to its parent's P-code, per country ({"MR": [2, 1, 2]})."""
    with (DATA / "pcode-lengths.csv").open(encoding="utf-8") as f:
        return {
            row["country"]: [int(row[f"admin{n}_digits"]) for n in (1, 2, 3)]
            for row in csv.DictReader(f)
        }


# --- Loading areas -------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    """One row of an areas file, as typed: ``number`` is its line in the file."""

    number: int
    pcode: str = ""
    country: str = ""
    level: str = ""
    parent_pcode: str = ""
    name_fr: str = ""
    name_en: str = ""
    valid_from: str = ""


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def area_rows_read(lines: Iterable[str]) -> list[AreaRow]:
    """The rows of an areas CSV file (text lines, UTF-8 already decoded).

    Raises ValidationError when a column is missing. Blank lines are skipped; columns beyond
    ``AREA_COLUMNS`` are ignored.
    """
    reader = csv.DictReader(lines)
    header = [(name or "").strip().lstrip("\ufeff") for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [name for name in AREA_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            _("The file lacks the columns %(missing)s: its first line must be %(header)s.")
            % {"missing": ", ".join(missing), "header": ",".join(AREA_COLUMNS)}
        )
    rows = []
    for raw in reader:
        values = {name: (raw.get(name) or "").strip() for name in AREA_COLUMNS}
        if any(values.values()):
            rows.append(AreaRow(number=reader.line_num, **values))
    return rows


@dataclass
class _Checked:
    """A row whose values passed the checks of the row alone."""

    row: AreaRow
    pcode: str
    country: str
    level: int | None
    parent_pcode: str
    valid_from: datetime.date | None
    errors: list[str] = field(default_factory=list)


def _problem(row: AreaRow, column: str, message: str) -> str:
    return _("Row %(row)s, column %(column)s: %(message)s") % {
        "row": row.number,
        "column": column,
        "message": message,
    }


def _check_row(row: AreaRow, lengths: dict[str, list[int]]) -> _Checked:
    """Checks that need nothing but the row itself."""
    pcode, country = row.pcode.upper(), row.country.upper()
    parent_pcode = row.parent_pcode.upper()
    checked = _Checked(row, pcode, country, None, parent_pcode, None)
    errors = checked.errors

    if not pcode:
        errors.append(_problem(row, "pcode", _("give the P-code of the area, e.g. ML0401.")))
    elif not PCODE.match(pcode):
        errors.append(
            _problem(
                row,
                "pcode",
                _(
                    "“%(value)s” is not a P-code: write the two capital letters of the country "
                    "followed by digits, e.g. ML0401."
                )
                % {"value": row.pcode},
            )
        )
    if pcode[:2] and country != pcode[:2]:
        errors.append(
            _problem(
                row,
                "country",
                _("write %(expected)s, the first two letters of the P-code %(pcode)s.")
                % {"expected": pcode[:2], "pcode": pcode},
            )
        )

    try:
        checked.level = int(row.level)
    except ValueError:
        checked.level = None
    if checked.level not in Area.Level.values:
        checked.level = None
        errors.append(
            _problem(
                row,
                "level",
                _(
                    "“%(value)s” is not a level: write 0 for a country, 1 for a region or wilaya, "
                    "2 for a cercle or moughataa, 3 for a commune."
                )
                % {"value": row.level},
            )
        )
    elif checked.level == Area.Level.COUNTRY:
        if PCODE.match(pcode) and len(pcode) != 2:
            errors.append(
                _problem(
                    row,
                    "pcode",
                    _("a country's P-code is its two letters (%(country)s) without digits.")
                    % {"country": pcode[:2]},
                )
            )
        if parent_pcode:
            errors.append(
                _problem(row, "parent_pcode", _("a country has no parent: leave the cell empty."))
            )
    else:
        if not parent_pcode:
            errors.append(
                _problem(
                    row,
                    "parent_pcode",
                    _("give the P-code of the area one level up, e.g. ML04 for ML0401."),
                )
            )
        elif PCODE.match(pcode) and not pcode.startswith(parent_pcode):
            errors.append(
                _problem(
                    row,
                    "parent_pcode",
                    _("%(parent)s is not the start of the P-code %(pcode)s: check both.")
                    % {"parent": parent_pcode, "pcode": pcode},
                )
            )
        digits = lengths.get(pcode[:2])
        if digits and PCODE.match(pcode):
            expected = sum(digits[: checked.level])
            if len(pcode) - 2 != expected:
                errors.append(
                    _problem(
                        row,
                        "pcode",
                        _(
                            "a level %(level)s P-code of %(country)s has %(n)s digits after the "
                            "letters, not %(found)s: check the P-code and the level."
                        )
                        % {
                            "level": checked.level,
                            "country": pcode[:2],
                            "n": expected,
                            "found": len(pcode) - 2,
                        },
                    )
                )

    if not row.name_fr:
        errors.append(_problem(row, "name_fr", _("give the French name of the area.")))
    if not row.name_en:
        errors.append(
            _problem(row, "name_en", _("give the English name (often the same as the French one)."))
        )
    for column in ("name_fr", "name_en"):
        value = getattr(row, column)
        if len(value) > NAME_LENGTH:
            errors.append(
                _problem(
                    row,
                    column,
                    _("the name has %(n)s characters; shorten it to %(max)s at most.")
                    % {"n": len(value), "max": NAME_LENGTH},
                )
            )

    if row.valid_from:
        try:
            if not ISO_DATE.match(row.valid_from):
                raise ValueError(row.valid_from)
            checked.valid_from = datetime.date.fromisoformat(row.valid_from)
        except ValueError:
            errors.append(
                _problem(
                    row,
                    "valid_from",
                    _(
                        "“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2021-12-20, or "
                        "leave the cell empty."
                    )
                    % {"value": row.valid_from},
                )
            )
    return checked


def _check_rows(rows: Sequence[AreaRow]) -> tuple[list[_Checked], dict[str, Area]]:
    """Check every row, alone and against the others and the areas already loaded.

    Returns the checked rows and the existing areas they name; raises ValidationError with one
    message per problem, naming the row, the column and the fix.
    """
    if not rows:
        raise ValidationError(
            _("The file has no area rows: add one row per area under the header.")
        )
    lengths = pcode_lengths()
    checked = [_check_row(row, lengths) for row in rows]
    named = {c.pcode for c in checked} | {c.parent_pcode for c in checked if c.parent_pcode}
    existing = {a.pcode: a for a in Area.objects.filter(pcode__in=named)}

    first_row: dict[str, int] = {}
    for c in checked:
        current = existing.get(c.pcode)
        if c.pcode in first_row:
            c.errors.append(
                _problem(
                    c.row,
                    "pcode",
                    _("%(pcode)s is already on row %(other)s: keep one row per P-code.")
                    % {"pcode": c.pcode, "other": first_row[c.pcode]},
                )
            )
        else:
            first_row[c.pcode] = c.row.number
        if current is not None and c.level is not None and current.level != c.level:
            c.errors.append(
                _problem(
                    c.row,
                    "level",
                    _(
                        "%(pcode)s is already loaded as a level %(found)s area and a P-code keeps "
                        "its level: check the level."
                    )
                    % {"pcode": c.pcode, "found": current.level},
                )
            )
    # A parent's level is read from its row when that row is sound, else from the database; a
    # faulty parent row is reported once, on its own row, not again on each of its children.
    level_of = {pcode: area.level for pcode, area in existing.items()}
    level_of.update({c.pcode: c.level for c in checked if not c.errors})
    faulty = {c.pcode for c in checked if c.errors}

    for c in checked:
        if c.errors or c.level == Area.Level.COUNTRY:
            continue
        if c.parent_pcode not in level_of:
            if c.parent_pcode not in faulty:
                c.errors.append(
                    _problem(
                        c.row,
                        "parent_pcode",
                        _(
                            "no area has the P-code %(parent)s: add its row to the file or load "
                            "it first."
                        )
                        % {"parent": c.parent_pcode},
                    )
                )
            continue
        if level_of[c.parent_pcode] != c.level - 1:
            c.errors.append(
                _problem(
                    c.row,
                    "parent_pcode",
                    _(
                        "%(parent)s is a level %(found)s area; the parent of a level %(level)s "
                        "area is of level %(expected)s."
                    )
                    % {
                        "parent": c.parent_pcode,
                        "found": level_of[c.parent_pcode],
                        "level": c.level,
                        "expected": c.level - 1,
                    },
                )
            )

    errors = [message for c in checked for message in c.errors]
    if errors:
        raise ValidationError(errors)
    return checked, existing


class AreaSet:
    """The areas of one load, as the target of its audit event: the event is about the set."""

    _meta = Area._meta
    pk = ""

    def __init__(self, countries: list[str], count: int):
        self.label = f"{', '.join(countries)}: {count} P-codes"

    def __str__(self) -> str:
        return self.label


@transaction.atomic
def areas_load(*, rows: Sequence[AreaRow], by, source: str = "") -> LoadCounts:
    """Create or update the areas of ``rows``, matched on their P-code.

    Every row is checked before anything is written: on any problem, ValidationError lists them
    all and nothing changes. Loading the same rows again changes nothing. When areas are created
    or changed, one audit event records which ones (``source`` names the file).
    """
    checked, existing = _check_rows(rows)
    counts = LoadCounts()
    created: list[str] = []
    updated: dict[str, dict] = {}
    by_pcode = dict(existing)
    for c in sorted(checked, key=lambda c: (c.level, c.pcode)):
        parent = by_pcode.get(c.parent_pcode) if c.parent_pcode else None
        values = {
            "country": c.country,
            "level": c.level,
            "parent_id": parent.pk if parent else None,
            "name_fr": c.row.name_fr,
            "name_en": c.row.name_en,
            "valid_from": c.valid_from,
        }
        area = by_pcode.get(c.pcode)
        if area is None:
            by_pcode[c.pcode] = Area.objects.create(pcode=c.pcode, **values)
            created.append(c.pcode)
            counts.created += 1
            continue
        before = audit.snapshot(area, list(values))
        for name, value in values.items():
            setattr(area, name, value)
        changes = audit.diff(area, before, list(values))
        if not changes:
            counts.unchanged += 1
            continue
        area.save(update_fields=list(changes))
        updated[c.pcode] = changes
        counts.updated += 1
    if created or updated:
        countries = sorted({c.country for c in checked})
        audit.record(
            actor=by,
            action="areas.load",
            target=AreaSet(countries, len(checked)),
            changes={
                "source": source,
                "created": created,
                "updated": updated,
                "unchanged": counts.unchanged,
            },
        )
    return counts


# --- Sites ---------------------------------------------------------------------------------


def site_can_create(user) -> bool:
    """Staff of any organisation may add sites; partners and donors may not."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(s.role in SITE_EDITOR_ROLES for s in scopes_for(user))


@transaction.atomic
def site_create(*, data: dict, by) -> Site:
    """Add a site (name, kind, area, latitude, longitude).

    A site whose name is already used in the same area, ignoring accents, case, apostrophes and
    hyphens, is refused: "Ecole de Gao" is "École de Gao".
    """
    name = " ".join((data.get("name") or "").split())
    area = data.get("area")
    if name and area is not None:
        key = bare(name)
        for other in Site.objects.filter(area=area).only("name"):
            if bare(other.name) == key:
                raise ValidationError(
                    {
                        "name": _(
                            "%(area)s already has a site named “%(name)s”: choose it where you "
                            "need it, or give this site another name."
                        )
                        % {"area": area, "name": other.name}
                    }
                )
    site = Site(
        name=name,
        kind=data.get("kind") or "",
        area=area,
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
    )
    return audit.save_new(site, by=by, action="site.create")
