"""Turn the cells of a partner's list into the values of a person, or into a clear refusal.

Each ``parse_*`` function takes one cell (``None``, text, number, date) and returns the value, or
raises ``CellError`` whose message says what is wrong and how to fix it. ``RowReader`` applies
a column mapping to a whole row.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suivi.lib import ages
from suivi.lib.phones import normalise_phone
from suivi.lib.tabular import excel_serial_to_date, fold
from suivi.places.models import Area, Site

OLDEST_AGE = 120
ESTIMATED = re.compile(r"^(?:n[ée]e?\s+)?(?:vers|env\.?|environ|~|ca\.?|circa|about|approx\.?)\s*")
YEAR = re.compile(r"^(\d{4})$")
DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
ISO = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T].*)?$")
# Excel serial numbers of plausible birth dates (1900 to 2100).
SERIAL_RANGE = (1, 73051)


class CellError(Exception):
    """A cell that cannot be read; the message names the problem and the fix."""


# --- The fields a column can feed ----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    label: object
    synonyms: tuple[str, ...]
    required: bool = False


TARGETS = [
    Target(
        "family_name",
        gettext_lazy("Family name"),
        ("nom", "nom de famille", "noms", "family name", "surname", "last name", "name"),
        required=True,
    ),
    Target(
        "given_name",
        gettext_lazy("Given names"),
        ("prenom", "prenoms", "prenom s", "given name", "given names", "first name", "forename"),
        required=True,
    ),
    Target("sex", gettext_lazy("Sex"), ("sexe", "genre", "sex", "gender", "m f", "h f"), True),
    Target(
        "birth_date",
        gettext_lazy("Date of birth"),
        (
            "date de naissance",
            "date naissance",
            "ne e le",
            "ne le",
            "ddn",
            "naissance",
            "date of birth",
            "birth date",
            "dob",
            "annee de naissance",
        ),
    ),
    Target("age", gettext_lazy("Age in years"), ("age", "age ans", "age en annees", "age years")),
    Target(
        "population_group",
        gettext_lazy("Population group"),
        (
            "statut",
            "statut de residence",
            "categorie",
            "type de population",
            "groupe de population",
            "population group",
            "status",
            "population type",
        ),
        required=True,
    ),
    Target(
        "phone",
        gettext_lazy("Phone"),
        (
            "telephone",
            "tel",
            "n telephone",
            "numero de telephone",
            "contact",
            "phone",
            "phone number",
            "mobile",
        ),
    ),
    Target("region", gettext_lazy("Region (admin 1)"), ("region", "wilaya", "admin1")),
    Target(
        "cercle",
        gettext_lazy("Cercle or moughataa (admin 2)"),
        ("cercle", "moughataa", "departement", "district", "admin2"),
    ),
    Target("commune", gettext_lazy("Commune (admin 3)"), ("commune", "municipality", "admin3")),
    Target(
        "village",
        gettext_lazy("Village or neighbourhood (site)"),
        ("village", "quartier", "village quartier", "localite", "site", "neighbourhood"),
    ),
    Target(
        "disability",
        gettext_lazy("Disability (yes/no)"),
        ("handicap", "personne handicapee", "situation de handicap", "disability", "pvh"),
    ),
    Target(
        "progres",
        gettext_lazy("proGres individual number"),
        (
            "n progres",
            "no progres",
            "numero progres",
            "progres",
            "progres id",
            "id progres",
            "individual id",
        ),
    ),
]
TARGETS_BY_NAME = {t.name: t for t in TARGETS}
REQUIRED = [t.name for t in TARGETS if t.required]
KNOWN_HEADERS = [s for t in TARGETS for s in t.synonyms]
# Specific need code (UNHCR list) recorded for a "yes" in a disability column.
DISABILITY_NEED = "DS"


def suggest(header: str) -> str:
    """The field a column title most likely feeds ("" when none)."""
    key = fold(header)
    for target in TARGETS:
        if key in target.synonyms:
            return target.name
    return ""


# --- Cells ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if value.__class__ is str and " " not in value and value.isprintable():
        return value  # cells come trimmed from lib/tabular: the common case, kept fast
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_name(value) -> str:
    return _text(value)


SEX = {
    "m": "M",
    "h": "M",
    "homme": "M",
    "masculin": "M",
    "male": "M",
    "man": "M",
    "garcon": "M",
    "1": "M",
    "f": "F",
    "femme": "F",
    "feminin": "F",
    "female": "F",
    "woman": "F",
    "fille": "F",
    "2": "F",
}


def parse_sex(value) -> str:
    key = fold(_text(value))
    if key in SEX:
        return SEX[key]
    raise CellError(
        _("“%(value)s” is not a sex: write M or F (also accepted: H/F, Homme/Femme, 1/2).")
        % {"value": _text(value)}
    )


POPULATION_GROUPS = {
    "refugee": (
        "refugie",
        "refugiee",
        "refugies",
        "ref",
        "refugee",
        "refugees",
        "demandeur d asile",
        "asylum seeker",
    ),
    "idp": (
        "pdi",
        "deplace",
        "deplacee",
        "deplace interne",
        "deplacee interne",
        "deplaces internes",
        "idp",
        "internally displaced",
    ),
    "host": ("hote", "communaute hote", "population hote", "host", "host community", "autochtone"),
    "returnee": (
        "rapatrie",
        "rapatriee",
        "retourne",
        "retournee",
        "returnee",
        "repatriated",
        "retourne interne",
    ),
    "migrant": ("migrant", "migrante", "migrants"),
}
POPULATION_GROUP_BY_WORD = {w: code for code, words in POPULATION_GROUPS.items() for w in words}


def parse_population_group(value) -> str:
    key = fold(_text(value))
    if key in POPULATION_GROUP_BY_WORD:
        return POPULATION_GROUP_BY_WORD[key]
    raise CellError(
        _("“%(value)s” is not a population group: write Réfugié, PDI, Hôte, Rapatrié or Migrant.")
        % {"value": _text(value)}
    )


YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true"}
NO = {"non", "n", "no", "0", "faux", "false", "aucun"}


def parse_yes_no(value) -> bool | None:
    key = fold(_text(value))
    if not key:
        return None
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError(_("“%(value)s” is not yes or no: write Oui or Non.") % {"value": _text(value)})


def parse_date(value, today: datetime.date) -> tuple[datetime.date, bool]:
    """A date of birth and whether it is estimated ("vers 2008", a year alone: 1 July)."""
    if isinstance(value, datetime.datetime):
        day, estimated = value.date(), False
    elif isinstance(value, datetime.date):
        day, estimated = value, False
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1900 <= value <= 2100:
            day, estimated = datetime.date(int(value), 7, 1), True
        elif SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            day, estimated = excel_serial_to_date(value), False
        else:
            raise CellError(_("%(value)s is not a date.") % {"value": value})
    else:
        day, estimated = _parse_date_text(_text(value))
    if day > today:
        raise CellError(
            _("The date %(date)s is in the future: check it.") % {"date": day.strftime("%d/%m/%Y")}
        )
    if ages.age_on(day, today) > OLDEST_AGE:
        raise CellError(
            _("The date %(date)s gives an age over %(n)s years: check it.")
            % {"date": day.strftime("%d/%m/%Y"), "n": OLDEST_AGE}
        )
    return day, estimated


def _parse_date_text(text: str) -> tuple[datetime.date, bool]:
    lowered = text.lower().strip()
    estimated = bool(ESTIMATED.match(lowered))
    lowered = ESTIMATED.sub("", lowered).strip()
    try:
        if match := YEAR.match(lowered):
            return datetime.date(int(match.group(1)), 7, 1), True
        if match := DAY_FIRST.match(lowered):
            day, month, year = (int(g) for g in match.groups())
            if year < 100:
                year += 2000 if year <= datetime.date.today().year % 100 else 1900
            return datetime.date(year, month, day), estimated
        if match := ISO.match(lowered):
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day), estimated
        if lowered.isdigit() and SERIAL_RANGE[0] <= int(lowered) <= SERIAL_RANGE[1]:
            return excel_serial_to_date(int(lowered)), estimated
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a real date: check the day and the month (day/month/year).")
            % {"value": text}
        ) from None
    raise CellError(
        _(
            "“%(value)s” is not a date: write it as day/month/year (12/03/2009), as a year "
            "(2009) or as an estimate (vers 2008)."
        )
        % {"value": text}
    )


def birth_from_age(value, registered_on: datetime.date) -> datetime.date:
    """The estimated date of birth of someone aged ``value`` on the registration date:
    1 July of that year, the usual convention (never after the registration date)."""
    text = _text(value).lower().replace("ans", "").replace("years", "").strip()
    try:
        age = int(float(text.replace(",", ".")))
    except ValueError:
        raise CellError(
            _("“%(value)s” is not an age: write a number of years.") % {"value": _text(value)}
        ) from None
    if age < 0 or age > OLDEST_AGE:
        raise CellError(_("An age of %(age)s years is not plausible: check it.") % {"age": age})
    return min(datetime.date(registered_on.year - age, 7, 1), registered_on)


def parse_phone(value, country: str) -> str:
    text = _text(value)
    try:
        return normalise_phone(text, country)
    except ValidationError as error:
        raise CellError(" ".join(str(m) for m in error.messages)) from None


# --- Places --------------------------------------------------------------------------------

# Spellings found in partners' lists, folded, and the folded name they stand for.
PLACE_SPELLINGS = {
    "segou": "segou",
    "timbuktu": "tombouctou",
    "tombuctu": "tombouctou",
    "tomboctou": "tombouctou",
    "tombouctu": "tombouctou",
    "selibabi": "selibaby",
    "selibabie": "selibaby",
    "nouakchot": "nouakchott",
    "kayes ville": "kayes",
    "gao ville": "gao",
    "hodh el chargui": "hodh ech chargui",
    "hodh charghi": "hodh ech chargui",
}


def place_key(name: str) -> str:
    key = fold(name)
    return PLACE_SPELLINGS.get(key, key)


class PlaceIndex:
    """Every area of the countries concerned, by level and folded name, loaded once per import
    (a few thousand rows for Mali and Mauritania)."""

    def __init__(self, countries: list[str] | None = None):
        areas = Area.objects.filter(level__gte=1)
        if countries:
            areas = areas.filter(country__in=countries)
        self.by_level: dict[int, dict[str, list[Area]]] = {1: {}, 2: {}, 3: {}}
        for area in areas.only("pk", "pcode", "country", "level", "parent", "name_fr", "name_en"):
            names = {place_key(area.name_fr), place_key(area.name_en), area.pcode.lower()}
            for name in names:
                self.by_level.setdefault(area.level, {}).setdefault(name, []).append(area)
        self._sites: dict[tuple[int, str], Site | None] = {}
        self._resolved: dict[tuple, Area | str] = {}

    def resolve(self, level: int, name, within: Area | None) -> Area:
        """The area of ``level`` named ``name`` (within ``within``); answers are remembered,
        refusals included, since a list names the same few places on every row."""
        key = (level, name, within.pk if within is not None else None)
        found = self._resolved.get(key)
        if found is None:
            try:
                found = self._resolve(level, name, within)
            except CellError as error:
                found = str(error)
            if len(self._resolved) > 100_000:
                self._resolved.clear()
            self._resolved[key] = found
        if isinstance(found, str):
            raise CellError(found)
        return found

    def _resolve(self, level: int, name, within: Area | None) -> Area:
        text = _text(name)
        candidates = self.by_level.get(level, {}).get(place_key(text), [])
        if within is None:
            # A P-code may also be written in lower case or with spaces.
            candidates = candidates or self.by_level.get(level, {}).get(text.lower(), [])
        else:
            candidates = [a for a in candidates if a.pcode.startswith(within.pcode)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            if within is not None:
                raise CellError(
                    _(
                        "“%(name)s” is not a known place of %(parent)s: check the spelling or "
                        "write its P-code."
                    )
                    % {"name": text, "parent": within.name}
                )
            raise CellError(
                _("“%(name)s” is not a known place: check the spelling or write its P-code.")
                % {"name": text}
            )
        raise CellError(
            _(
                "“%(name)s” names several places (%(pcodes)s): fill in the region and cercle "
                "columns, or write the P-code."
            )
            % {"name": text, "pcodes": ", ".join(a.pcode for a in candidates[:5])}
        )

    def site(self, name, area: Area | None) -> Site:
        text = _text(name)
        if area is None:
            raise CellError(
                _("A village is given without its commune, cercle or region: add the place.")
            )
        key = (area.pk, place_key(text))
        if key not in self._sites:
            found = [
                s
                for s in Site.objects.filter(area__in=Area.objects.within(area))
                if place_key(s.name) == key[1]
            ]
            self._sites[key] = found[0] if len(found) == 1 else None
        site = self._sites[key]
        if site is None:
            raise CellError(
                _(
                    "“%(name)s” is not a known site of %(area)s: ask an administrator to add it, "
                    "or correct the spelling."
                )
                % {"name": text, "area": area.name}
            )
        return site


# --- Rows ----------------------------------------------------------------------------------


@dataclass
class RowResult:
    data: dict = field(default_factory=dict)
    progres: str = ""
    disability: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column title, message)


class RowReader:
    """Applies a column mapping ({column index: field}) to rows of one list."""

    def __init__(
        self,
        *,
        header: list[str],
        mapping: dict[int, str],
        registered_on: datetime.date,
        country: str,
        today: datetime.date,
    ):
        self.header = header
        self.columns = {name: index for index, name in mapping.items()}
        self.registered_on = registered_on
        self.country = country
        self.today = today
        self.places = PlaceIndex()
        self._dates: dict = {}

    def read(self, cells: list) -> RowResult:
        result = RowResult()
        data = result.data
        errors = result.errors
        columns = self.columns
        header = self.header
        width = len(cells)
        values = {name: cells[index] if index < width else None for name, index in columns.items()}

        def attempt(name, parse):
            try:
                return parse(values[name])
            except CellError as error:
                errors.append((header[columns[name]], str(error)))
                return None

        for name in REQUIRED:
            if name in values and values[name] in (None, ""):
                errors.append(
                    (
                        header[columns[name]],
                        _("This cell is empty: %(field)s is required.")
                        % {"field": TARGETS_BY_NAME[name].label},
                    )
                )
        for name in ("family_name", "given_name"):
            if values.get(name) not in (None, ""):
                data[name] = attempt(name, parse_name)[: 150 if name == "given_name" else 100]
        if values.get("sex") not in (None, ""):
            data["sex"] = attempt("sex", parse_sex)
        if values.get("population_group") not in (None, ""):
            data["population_group"] = attempt("population_group", parse_population_group)
        self._read_birth(values, data, attempt)
        area = self._read_place(values, attempt)
        data["area"] = area
        if values.get("village") not in (None, ""):
            data["site"] = attempt("village", lambda v: self.places.site(v, area))
        if values.get("phone") not in (None, ""):
            country = area.country if area is not None else self.country
            data["phone"] = attempt("phone", lambda v: parse_phone(v, country)) or ""
        if "disability" in values:
            result.disability = bool(attempt("disability", parse_yes_no))
        if "progres" in values:
            result.progres = _text(values["progres"])[:60]
        return result

    def _birth_date(self, value) -> tuple[datetime.date, bool]:
        """``parse_date`` remembered per cell value: a list has a few thousand distinct dates."""
        key = (value.__class__, value)  # 1 and True are equal keys, not equal cells
        try:
            found = self._dates.get(key)
        except TypeError:  # an unhashable cell
            return parse_date(value, self.today)
        if found is None:
            try:
                found = parse_date(value, self.today)
            except CellError as error:
                found = str(error)
            if len(self._dates) > 100_000:
                self._dates.clear()
            self._dates[key] = found
        if isinstance(found, str):
            raise CellError(found)
        return found

    def _read_birth(self, values, data, attempt) -> None:
        birth, age = values.get("birth_date"), values.get("age")
        if birth not in (None, ""):
            parsed = attempt("birth_date", self._birth_date)
            if parsed is not None:
                data["birth_date"], data["birth_date_estimated"] = parsed
        elif age not in (None, ""):
            born = attempt("age", lambda v: birth_from_age(v, self.registered_on))
            if born is not None:
                data["birth_date"], data["birth_date_estimated"] = born, True

    def _read_place(self, values, attempt) -> Area | None:
        area = None
        for level, name in ((1, "region"), (2, "cercle"), (3, "commune")):
            if values.get(name) in (None, ""):
                continue
            found = attempt(name, lambda v, lv=level, w=area: self.places.resolve(lv, v, w))
            if found is None:
                return None
            area = found
        return area
