"""The indicator engine: figures of an indicator for a period, with disaggregations.

It reads delivery and registry rows with grouped queries (one per indicator and period) and
never loads persons into memory. Cells are keyed ``dimension=value`` joined by ``|`` in the
order of ``Dimension``; the total is the cell "".

``figures`` is the one answer to "what is the value of this indicator in this period": the live
computation while the period is open, the stored values once it is locked (and always for
indicators entered by hand). Pages, the API and exports all read it.

A live computation is kept in the cache (``settings.CACHES``) under its project's data stamp:
the latest audit event of the project, of its organisation outside any project (persons), or of
the shared reference data (places).
Every change of the rows an indicator reads is written by a service that records an audit event
(``suivi/audit/services.py``), so a new event makes every kept figure it may concern
unreachable and the next reader computes it again: kept figures are never older than the data,
and what is entered in one project leaves the kept figures of the others valid.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from suivi.accounts.models import Organisation
from suivi.audit.models import AuditEvent
from suivi.delivery.models import Attendance, Distribution, ReachCount, Session
from suivi.lib import ages
from suivi.places.models import Area
from suivi.projects import definitions
from suivi.projects.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    PlannedActivity,
    ReportingPeriod,
)
from suivi.registry.models import Person, PopulationGroup, Registration

DIMENSION_ORDER = list(Dimension.values)
# Measures that count something other than persons: their figures carry no person cells.
NO_PERSON_CELLS = ("households", "groups")
# Dimensions that counted reach (people reached without registration) carries.
REACH_DIMENSIONS = ("sex", "age_band")
# Admin 1 P-codes of Mali and Mauritania are the country's two letters and two digits (COD-AB).
ADMIN1_PCODE_LENGTH = 4
# From the least to the most advanced: a figure is as advanced as its least advanced cell.
STATUS_ORDER = [
    IndicatorValue.Status.DRAFT,
    IndicatorValue.Status.SUBMITTED,
    IndicatorValue.Status.VALIDATED,
]


# --- Definitions ------------------------------------------------------------------------------


def measure_of(indicator: Indicator) -> str:
    d = indicator.definition
    default = definitions.DEFAULT_MEASURES.get(d.get("source"), "persons")
    return d.get("measure", default)


def dimensions(indicator: Indicator) -> list[str]:
    """The disaggregations an indicator's figures carry, in cell order."""
    dims = [x for x in DIMENSION_ORDER if x in (indicator.disaggregations or [])]
    if indicator.method == Indicator.Method.COMPUTED and measure_of(indicator) == "people":
        dims = [x for x in dims if x in REACH_DIMENSIONS]
    if indicator.method == Indicator.Method.COMPUTED and not _counts_persons(indicator):
        dims = []
    return dims


def has_persons(indicator: Indicator) -> bool:
    """Whether registered persons stand behind the indicator's figures (so they can be listed)."""
    if indicator.method != Indicator.Method.COMPUTED:
        return False
    return measure_of(indicator) not in ("people", "ratio") and _counts_persons(indicator)


def _counts_persons(indicator: Indicator) -> bool:
    """Whether the rows counted belong to persons (not to households, groups or sessions)."""
    d = indicator.definition
    return d.get("source") != "session" and measure_of(indicator) not in NO_PERSON_CELLS


def window(indicator: Indicator, period: ReportingPeriod) -> tuple[datetime.date, datetime.date]:
    start = indicator.project.start_date if indicator.cumulative else period.start
    return start, period.end


# --- Cells ------------------------------------------------------------------------------------


def age_band_expression(prefix: str, on: datetime.date) -> Case:
    """SQL CASE giving the age band on ``on`` from the birth date at ``prefix``birth_date."""
    field = f"{prefix}birth_date"
    whens = [When(**{f"{field}__isnull": True}, then=Value(ages.UNKNOWN))]
    for code, _low, _high in ages.AGE_BANDS:
        earliest, latest = ages.birth_bounds(code, on)
        condition = Q(**{f"{field}__lte": latest})
        if earliest is not None:
            condition &= Q(**{f"{field}__gt": earliest})
        whens.append(When(condition, then=Value(code)))
    return Case(*whens, default=Value(ages.UNKNOWN), output_field=CharField())


def dimension_expressions(prefix: str, on: datetime.date) -> dict:
    """The value of each dimension for a row whose person is at ``prefix`` (age on ``on``)."""
    return {
        "sex": Coalesce(F(f"{prefix}sex"), Value(ages.UNKNOWN)),
        "age_band": age_band_expression(prefix, on),
        "population_group": Coalesce(F(f"{prefix}population_group"), Value(ages.UNKNOWN)),
        "disability": Case(
            When(**{f"{prefix}has_disability": True}, then=Value("yes")),
            When(**{f"{prefix}has_disability": False}, then=Value("no")),
            default=Value(ages.UNKNOWN),
            output_field=CharField(),
        ),
        # A person placed only at country level has no admin 1 area.
        "area": Case(
            When(
                **{f"{prefix}area__level__gte": 1},
                then=Substr(f"{prefix}area__pcode", 1, ADMIN1_PCODE_LENGTH),
            ),
            default=Value(ages.UNKNOWN),
            output_field=CharField(),
        ),
    }


def cell_filter(prefix: str, cell: dict[str, str], on: datetime.date) -> Q:
    """Rows whose person falls in ``cell`` ({dimension: value}), as ``dimension_expressions``
    places them, written as plain conditions on the columns so that indexes and row estimates
    serve."""
    q = Q()
    for dim, value in cell.items():
        unknown = value == ages.UNKNOWN
        if dim in ("sex", "population_group"):
            q &= (
                Q(**{f"{prefix}{dim}__isnull": True}) if unknown else Q(**{f"{prefix}{dim}": value})
            )
        elif dim == "disability":
            flag = {"yes": True, "no": False}.get(value)
            q &= (
                Q(**{f"{prefix}has_disability__isnull": True})
                if flag is None
                else Q(**{f"{prefix}has_disability": flag})
            )
        elif dim == "age_band":
            field = f"{prefix}birth_date"
            if value in ages.AGE_BAND_CODES:
                earliest, latest = ages.birth_bounds(value, on)
                q &= Q(**{f"{field}__lte": latest})
                if earliest is not None:
                    q &= Q(**{f"{field}__gt": earliest})
            else:  # no birth date, or born after the day (no band)
                q &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": on})
        elif dim == "area":
            if unknown:
                q &= Q(**{f"{prefix}area__isnull": True}) | Q(**{f"{prefix}area__level__lt": 1})
            elif len(value) == ADMIN1_PCODE_LENGTH:
                q &= Q(
                    **{f"{prefix}area__level__gte": 1, f"{prefix}area__pcode__startswith": value}
                )
            else:
                q &= Q(pk__in=[])
    return q


def parse_cell(cell: str) -> dict[str, str]:
    """``sex=F|age_band=12-17`` as {dimension: value}; ValueError with the reason if malformed."""
    parsed: dict[str, str] = {}
    for part in filter(None, cell.split("|")):
        dim, sep, value = part.partition("=")
        if not sep or not value or dim not in DIMENSION_ORDER or dim in parsed:
            raise ValueError(
                _(
                    "The cell %(cell)s is not understood: write dimension=value pairs joined "
                    "by |, for example sex=F|age_band=12-17, with dimensions among %(names)s."
                )
                % {"cell": cell, "names": ", ".join(DIMENSION_ORDER)}
            )
        parsed[dim] = value
    return parsed


def _rollup(dims: list[str], grouped: Iterable[tuple]) -> dict[int, dict[str, Decimal]]:
    """Per project: total, one-dimension margins and the full cross, from additive grouped
    figures (rows of project, the value of each dimension, amount).

    The grouped figures must partition what is counted (each person in one group), so sums of
    groups are exact even for distinct persons. Cell keys are made once per combination of
    values and shared by the projects, as are the small whole numbers.
    """
    keys_of: dict[tuple, tuple[str, ...]] = {}
    sums: dict[int, dict[str, int | Decimal]] = {}
    for project_id, *values, amount in grouped:
        values = tuple(values)
        keys = keys_of.get(values)
        if keys is None:
            margins = [f"{d}={v}" for d, v in zip(dims, values, strict=True)]
            keys = ("", *margins, *(["|".join(margins)] if len(dims) > 1 else []))
            keys_of[values] = keys
        cells = sums.setdefault(project_id, {})
        amount = amount or 0
        for key in keys:
            cells[key] = cells.get(key, 0) + amount
    decimals: dict[int, Decimal] = {}

    def decimal(value: int | Decimal) -> Decimal:
        if type(value) is not int:
            return Decimal(value)
        if value not in decimals:
            decimals[value] = Decimal(value)
        return decimals[value]

    return {p: {k: decimal(v) for k, v in cells.items()} for p, cells in sums.items()}


# --- Rows and persons -------------------------------------------------------------------------


def person_filter(prefix: str, spec: dict, on: datetime.date) -> Q:
    """The definition's person filters; ages are taken on ``on`` (the period's last day)."""
    q = Q()
    if spec.get("sex"):
        q &= Q(**{f"{prefix}sex": spec["sex"]})
    if spec.get("population_groups"):
        q &= Q(**{f"{prefix}population_group__in": spec["population_groups"]})
    if spec.get("disability") is not None:
        q &= Q(**{f"{prefix}has_disability": bool(spec["disability"])})
    if spec.get("age_min") is not None:
        q &= Q(**{f"{prefix}birth_date__lte": ages._years_before(on, int(spec["age_min"]))})
    if spec.get("age_max") is not None:
        q &= Q(**{f"{prefix}birth_date__gt": ages._years_before(on, int(spec["age_max"]) + 1)})
    return q


def _within(field: str, pcodes: list[str]) -> Q:
    """Rows whose area at ``field`` is one of ``pcodes`` or below it (P-codes nest by prefix)."""
    q = Q(pk__in=[])
    for pcode in pcodes:
        q |= Q(**{f"{field}__pcode__startswith": pcode})
    return q


def scope_filter(source: str, d: dict) -> Q:
    """The definition's filters on where, by whom and under which planned activity."""
    q = Q()
    session = "session__" if source in ("attendance", "reach") else ""
    if d.get("areas"):
        if source == "distribution":
            q &= _within("site__area", d["areas"]) | (
                Q(site__isnull=True) & _within("person__area", d["areas"])
            )
        elif source == "registration":
            q &= _within("person__area", d["areas"])
        else:
            q &= _within(f"{session}area", d["areas"])
    if d.get("partners"):
        q &= Q(**{f"{session}partner_id__in": d["partners"]})
    if d.get("planned_activities"):
        q &= Q(**{f"{session}planned_activity_id__in": d["planned_activities"]})
    return q


def source_rows(indicator: Indicator, period: ReportingPeriod) -> tuple[QuerySet, str]:
    """The delivery rows an indicator counts in a period, and the path to their person."""
    start, end = window(indicator, period)
    rows, prefix, _project = projects_rows(indicator.definition, start, end, [indicator.project_id])
    return rows, prefix


def projects_rows(
    d: dict, start: datetime.date, end: datetime.date, project_ids: list[int]
) -> tuple[QuerySet, str, str]:
    """The rows a definition counts from ``start`` to ``end`` in these projects, the path to
    their person and the path to their project."""
    rows, prefix, project = _projects_rows(d, start, end, project_ids)
    return rows.filter(scope_filter(d["source"], d)), prefix, project


def _projects_rows(d: dict, start, end, project_ids: list[int]) -> tuple[QuerySet, str, str]:
    source = d["source"]
    if source == "attendance":
        rows = Attendance.objects.filter(
            session__project_id__in=project_ids,
            session__date__gte=start,
            session__date__lte=end,
        )
        if d.get("session_kinds"):
            rows = rows.filter(session__kind__in=d["session_kinds"])
        return rows, "person__", "session__project_id"
    if source == "distribution":
        rows = Distribution.objects.filter(
            project_id__in=project_ids, date__gte=start, date__lte=end
        )
        if d.get("distribution_kinds"):
            rows = rows.filter(kind__in=d["distribution_kinds"])
        if d.get("item_contains"):
            rows = rows.filter(item__icontains=d["item_contains"])
        return rows, "person__", "project_id"
    if source == "session":
        rows = Session.objects.filter(project_id__in=project_ids, date__gte=start, date__lte=end)
        if d.get("session_kinds"):
            rows = rows.filter(kind__in=d["session_kinds"])
        return rows, "", "project_id"
    if source == "registration":
        rows = Registration.objects.filter(
            project_id__in=project_ids, registered_on__gte=start, registered_on__lte=end
        )
        return rows, "person__", "project_id"
    if source == "reach":
        rows = ReachCount.objects.filter(
            session__project_id__in=project_ids,
            session__date__gte=start,
            session__date__lte=end,
        )
        if d.get("session_kinds"):
            rows = rows.filter(session__kind__in=d["session_kinds"])
        return rows, "", "session__project_id"
    raise ValueError(source)


def qualifying_persons(indicator: Indicator, period: ReportingPeriod, cell: str = "") -> QuerySet:
    """Persons behind an indicator's figure in a period, optionally only those of one cell.

    For a ``persons`` indicator these are exactly the persons counted; for ``rows``, ``quantity``
    and ``value`` they are the persons the counted rows belong to. ``cell`` uses the cell keys
    of ``compute`` (ValueError when malformed).
    """
    d = indicator.definition
    _start, end = window(indicator, period)
    wanted = parse_cell(cell)
    rows, _prefix = source_rows(indicator, period)
    rows = rows.filter(person__isnull=False).order_by()
    min_count = d.get("min_count", 1) if measure_of(indicator) == "persons" else 1
    if min_count > 1:
        ids = rows.values("person_id").annotate(n=Count("pk")).filter(n__gte=min_count)
        ids = ids.values("person_id")
    else:
        ids = rows.values("person_id")
    persons = Person.objects.filter(pk__in=ids).filter(person_filter("", d.get("person", {}), end))
    return persons.filter(cell_filter("", wanted, end)) if wanted else persons


def with_times(persons: QuerySet, indicator: Indicator, period: ReportingPeriod) -> QuerySet:
    """Annotate ``times``: how many of the indicator's rows in the period each person has."""
    rows, _prefix = source_rows(indicator, period)
    counts = (
        rows.filter(person_id=OuterRef("pk"))
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return persons.annotate(times=Coalesce(Subquery(counts), 0))


# --- Computing --------------------------------------------------------------------------------


# Audited actions that change no row a computed figure reads: they leave the kept figures valid.
# (Any other action, including those of the admin site, makes them obsolete.)
ACTIONS_WITHOUT_DATA = frozenset(
    {
        "agreement.create",
        "agreement.update",
        "api_token.create",
        "api_token.revoke",
        "donor_report.generate",
        "duplicate.reject",
        "duplicates.scan",
        "import.cancel",
        "import.upload",
        "indicator.compute",
        "indicator.dhis2_map",
        "membership.grant",
        "partner_report.accept",
        "partner_report.return",
        "partner_report.schedule",
        "partner_report.submit",
        "partner_report.update",
        "period.generate",
        "period.validate",
        # A new person counts nowhere until registered in a project, attending or receiving
        # (events of that project).
        "person.register",
        "project.dhis2_map",
        "report_narrative.create",
        "report_narrative.update",
        "report_photo.create",
        "report_photo.remove",
        "target.create",
        "target.delete",
        "target.update",
    }
)


def data_stamp(organisation_id: int, project_id: int | None = None) -> str:
    """What the kept figures of a project are valid for: the latest audit event, among those
    that may change data (not ``ACTIONS_WITHOUT_DATA``), of the project, of its organisation
    outside any project (persons, households), or of no organisation (places and other shared
    reference data). Without ``project_id``, of any project of the organisation.

    The event's time is part of the stamp, so that a number given again to another event (SQLite
    may reuse the number of a rolled-back row) is not taken for the same state of the data.
    """
    return data_stamps({(organisation_id, project_id)})[(organisation_id, project_id)]


def data_stamps(scopes: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int | None], str]:
    """``data_stamp`` of each (organisation, project) scope: one indexed look-up per project,
    per organisation and for the shared reference data, each made once whatever the number of
    scopes that share it."""
    events = AuditEvent.objects.exclude(action__in=ACTIONS_WITHOUT_DATA).order_by("-pk")
    looked_up: dict[object, tuple | None] = {}

    def latest(name, q: Q):
        if name not in looked_up:
            looked_up[name] = events.filter(q).values_list("pk", "at").first()
        return looked_up[name]

    stamps = {}
    for organisation_id, project_id in set(scopes):
        found = [latest("shared", Q(organisation_id__isnull=True))]
        if project_id is None:
            found.append(latest(organisation_id, Q(organisation_id=organisation_id)))
        else:
            found.append(
                latest(
                    (organisation_id, None),
                    Q(organisation_id=organisation_id, project_pk__isnull=True),
                )
            )
            found.append(
                latest(
                    (organisation_id, project_id),
                    Q(organisation_id=organisation_id, project_pk=project_id),
                )
            )
        # The latest of the scopes wins.
        best = max(filter(None, found), default=None)
        stamps[(organisation_id, project_id)] = (
            f"{best[0]}.{best[1].timestamp():.6f}" if best is not None else "0"
        )
    return stamps


def _cache_key(
    indicator: Indicator, period: ReportingPeriod, disaggregated: bool, stamp: str
) -> str:
    window_of = period.pk or f"{period.kind}:{period.start}:{period.end}"
    definition = hashlib.sha256(
        json.dumps(
            [indicator.definition, indicator.disaggregations, indicator.cumulative],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()[:16]
    return (
        f"suivi:figures:{indicator.organisation_id}:{stamp}:{indicator.pk}:{window_of}:"
        f"{int(disaggregated)}:{definition}"
    )


def compute(
    indicator: Indicator,
    period: ReportingPeriod,
    *,
    disaggregated: bool = True,
    known: dict[str, dict[str, Decimal]] | None = None,
    stamp: str | None = None,
) -> dict[str, Decimal]:
    """The figures of a computed indicator for a period: {cell: value}, the total at "".

    With ``disaggregated=False`` only the total is computed (a cheaper query). ``known``: the
    cells of other indicators of the project already found for this period, by code, which a
    ratio reuses instead of computing its parts again. The result is kept in the cache under
    the organisation's data stamp (``stamp``, looked up when not given).
    """
    seconds = settings.SUIVI_FIGURES_CACHE_SECONDS
    scope = (indicator.organisation_id, indicator.project_id)
    if stamp is None and seconds:
        stamp = data_stamp(*scope)
    if measure_of(indicator) != "ratio":  # the one path of kept and computed figures
        found = _live_many(
            [(indicator, period)], disaggregated=disaggregated, stamps={scope: stamp}
        )
        return dict(found[(indicator.pk, period.pk)])
    # A ratio divides the parts it is given (``known``), or reads them itself.
    if not seconds:
        return _compute(indicator, period, disaggregated=disaggregated, known=known)
    key = _cache_key(indicator, period, disaggregated, stamp)
    cells = cache.get(key)
    if cells is None:
        cells = _compute(indicator, period, disaggregated=disaggregated, known=known)
        cache.set(key, cells, seconds)
    return dict(cells)


def _compute(
    indicator: Indicator,
    period: ReportingPeriod,
    *,
    disaggregated: bool,
    known: dict[str, dict[str, Decimal]] | None,
) -> dict[str, Decimal]:
    if measure_of(indicator) == "ratio":
        return _ratio(indicator, period, disaggregated=disaggregated, known=known or {})
    if _together(indicator):
        found = _compute_together([(indicator, period)], disaggregated=disaggregated)
        return found[(indicator.pk, period.pk)]

    d = indicator.definition
    _start, end = window(indicator, period)
    rows, prefix = source_rows(indicator, period)
    if measure_of(indicator) == "groups":
        groups = rows.filter(group__isnull=False).order_by().values("group_id").distinct()
        return {"": Decimal(groups.count())}
    # Households: each counted once, through the row's household or its person's.
    rows = rows.filter(person_filter(prefix, d.get("person", {}), end)).order_by()
    households = rows.annotate(hh=Coalesce("household_id", "person__household_id")).filter(
        hh__isnull=False
    )
    households = households.values("hh").annotate(n=Count("pk"))
    min_count = d.get("min_count", 1)
    if min_count > 1:
        households = households.filter(n__gte=min_count)
    return {"": Decimal(households.count())}


# Measures computed for several projects in one grouped query (the others, one by one).
TOGETHER_MEASURES = frozenset({"persons", "rows", "quantity", "value", "people"})


def _together(indicator: Indicator) -> bool:
    return measure_of(indicator) in TOGETHER_MEASURES


# The day each source's rows are dated by, from the rows.
DATE_PATHS = {
    "attendance": "session__date",
    "distribution": "date",
    "registration": "registered_on",
    "reach": "session__date",
    "session": "date",
}


def _ages_matter(indicator: Indicator, dims: list[str]) -> bool:
    """Whether the figures depend on ages, which are taken on the period's last day."""
    if measure_of(indicator) == "people":  # counted reach stores its age band
        return False
    spec = indicator.definition.get("person", {})
    return "age_band" in dims or spec.get("age_min") is not None or spec.get("age_max") is not None


def _together_key(indicator: Indicator, period: ReportingPeriod, disaggregated: bool) -> str:
    """Pairs with the same key are computed together, grouped by project: the same definition
    and cells, and the same window when ages matter (they are taken on its last day); other
    pairs of different windows are grouped by window too (``_lanes``)."""
    dims = dimensions(indicator) if disaggregated else []
    days = window(indicator, period) if _ages_matter(indicator, dims) else ()
    return json.dumps(
        [indicator.definition, dims, [str(day) for day in days]], sort_keys=True, default=str
    )


def _lanes(pairs: list[tuple[Indicator, ReportingPeriod]]) -> list[list]:
    """The pairs split so that the windows of each part do not overlap (a row falls in one
    window at most): periods of one kind share a part, a cumulative indicator's periods
    (windows from the project's start) each have their own."""
    by_window: dict[tuple, list] = defaultdict(list)
    for indicator, period in pairs:
        by_window[window(indicator, period)].append((indicator, period))
    lanes: list[tuple[datetime.date, list]] = []  # (last day of the lane, its pairs)
    for (start, end), chosen in sorted(by_window.items()):
        for n, (last, lane) in enumerate(lanes):
            if last < start:
                lanes[n] = (end, lane + chosen)
                break
        else:
            lanes.append((end, chosen))
    return [lane for _last, lane in lanes]


def _compute_together(
    pairs: list[tuple[Indicator, ReportingPeriod]], *, disaggregated: bool
) -> dict[tuple[int, int | None], dict[str, Decimal]]:
    """The figures of pairs sharing a ``_together_key`` and windows that do not overlap, from
    one query grouped by project (and by window, when there are several).

    Each pair's figures are exactly those of its project and window computed alone: every row
    counted belongs to one project and falls in one window at most, and the cells partition
    each project's rows (or persons) in each window.
    """
    indicator, period = pairs[0]
    d = indicator.definition
    dims = dimensions(indicator) if disaggregated else []
    windows = sorted({window(i, p) for i, p in pairs})
    start, end = windows[0][0], max(e for _s, e in windows)
    project_ids = sorted({i.project_id for i, _p in pairs})
    rows, prefix, project = projects_rows(d, start, end, project_ids)
    keys = {"d_project": F(project)}
    if len(windows) > 1:
        day = DATE_PATHS[d["source"]]
        keys["d_window"] = Case(
            *(
                When(**{f"{day}__gte": s, f"{day}__lte": e}, then=Value(n))
                for n, (s, e) in enumerate(windows)
            ),
            default=Value(None),
            output_field=IntegerField(),
        )
        rows = rows.annotate(d_window=keys["d_window"]).filter(d_window__isnull=False)
        keys["d_window"] = F("d_window")
    measure = measure_of(indicator)
    if measure == "persons":
        grouped = _persons_by_project(rows, d, dims, end, keys)
    elif measure == "people":
        # Counted reach carries its own sex and age band, without persons.
        if d.get("person", {}).get("sex"):
            rows = rows.filter(sex=d["person"]["sex"])
        grouped = _grouped(rows, "", dims, end, Sum("count"), keys=keys, native=True)
    elif d["source"] == "session":
        grouped = _grouped(rows, "", [], end, Count("pk"), keys=keys)
    else:
        rows = rows.filter(person_filter(prefix, d.get("person", {}), end))
        aggregate = {"rows": Count("pk"), "quantity": Sum("quantity"), "value": Sum("value")}
        grouped = _grouped(rows, prefix, dims, end, aggregate[measure], keys=keys)
    if len(windows) > 1:
        grouped = (((row[0], windows[row[1]]), *row[2:]) for row in grouped)
        found = _rollup(dims, grouped)
        return {
            (i.pk, p.pk): found.get((i.project_id, window(i, p)), {"": Decimal(0)})
            for i, p in pairs
        }
    found = _rollup(dims, grouped)
    return {(i.pk, p.pk): found.get(i.project_id, {"": Decimal(0)}) for i, p in pairs}


def _grouped(
    rows: QuerySet,
    prefix: str,
    dims: list[str],
    on: datetime.date,
    aggregate,
    *,
    keys: dict,
    native: bool = False,
) -> list[tuple]:
    """Rows grouped by ``keys`` (project, window) and by the dimensions of their person
    (``native``: the rows' own columns), with ``aggregate`` for each group."""
    exprs = {k: F(k) for k in dims} if native else dimension_expressions(prefix, on)
    # Annotation names must not collide with the model's fields (Person has ``sex``...).
    grouped = rows.order_by().annotate(**keys, **{f"d_{k}": exprs[k] for k in dims})
    names = [*keys, *[f"d_{k}" for k in dims]]
    return list(grouped.values(*names).annotate(amount=aggregate).values_list(*names, "amount"))


def _persons_by_project(
    rows: QuerySet, d: dict, dims: list[str], on: datetime.date, keys: dict
) -> list[tuple]:
    """Distinct persons behind the rows, per ``keys`` (project, window) and cell: the rows
    grouped by keys and person (kept when the person has ``min_count`` rows), joined to the
    persons who pass the definition's person filters, grouped by keys and by the dimensions of
    the person. Each person counts once per project and window, in exactly one cell."""
    counted = (
        rows.filter(person__isnull=False)
        .order_by()
        .values(**keys, d_person=F("person_id"))
        .annotate(n=Count("pk"))
    )
    min_count = d.get("min_count", 1)
    if min_count > 1:
        counted = counted.filter(n__gte=min_count)
    q = connection.ops.quote_name
    counted_sql, counted_params = counted.query.sql_with_params()
    chosen = person_filter("", d.get("person", {}), on)
    by = [f"c.{q(k)}" for k in keys]
    if not dims and not chosen:
        # Every row's person exists: nothing to read of them.
        sql = f"SELECT {', '.join(by)}, COUNT(*) FROM ({counted_sql}) c GROUP BY {', '.join(by)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, counted_params)
            return cursor.fetchall()
    exprs = dimension_expressions("", on)
    persons = (
        Person.objects.filter(chosen)
        .order_by()
        .annotate(d_person=F("pk"), **{f"d_{k}": exprs[k] for k in dims})
        .values("d_person", *[f"d_{k}" for k in dims])
    )
    persons_sql, persons_params = persons.query.sql_with_params()
    by += [f"p.{q(f'd_{k}')}" for k in dims]
    sql = (
        f"SELECT {', '.join(by)}, COUNT(*) FROM ({counted_sql}) c "
        f"JOIN ({persons_sql}) p ON p.{q('d_person')} = c.{q('d_person')} "
        f"GROUP BY {', '.join(by)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*counted_params, *persons_params])
        return cursor.fetchall()


RATIO_PLACES = Decimal("0.01")


def _ratio(indicator: Indicator, period: ReportingPeriod, *, disaggregated: bool, known: dict):
    """Numerator / denominator × scale, cell by cell; a cell whose denominator is zero or
    missing has no value. The parts are read with ``figures``, as any page would show them."""
    d = indicator.definition
    parts = [r for r in (d["numerator"], d["denominator"]) if isinstance(r, str)]
    missing = [code for code in parts if code not in known]
    if missing:
        chosen = Indicator.objects.filter(project_id=indicator.project_id, code__in=missing)
        found = figures_many(
            [(i, period) for i in chosen.select_related("project")], disaggregated=disaggregated
        )
        known = {**known, **{i.code: found[(i.pk, period.pk)].cells for i in chosen}}
    numerator = known[d["numerator"]]
    if isinstance(d["denominator"], str):
        denominator = known[d["denominator"]]
    else:
        denominator = dict.fromkeys(numerator, Decimal(str(d["denominator"])))
    scale = Decimal(str(d.get("scale", 1)))
    wanted = set(dimensions(indicator)) if disaggregated else set()
    cells = {}
    # A cell the numerator lacks counts nothing there: its ratio is zero, not missing.
    for cell, bottom in denominator.items():
        if not bottom or not set(parse_cell(cell)) <= wanted:
            continue
        top = numerator.get(cell, Decimal(0))
        cells[cell] = (top * scale / bottom).quantize(RATIO_PLACES)
    return cells


@dataclass(frozen=True)
class Figures:
    """An indicator's figures for a period, and where they come from.

    ``live``: computed now from the data (an open period of a computed indicator); otherwise
    the stored values (a locked period, or an indicator entered by hand).
    ``status``: the validation status of the stored values (the least advanced of their cells),
    None when nothing is stored.
    ``stale``: live figures that differ from the stored ones (the data changed since they were
    stored; storing them again puts the changed cells back to draft).
    """

    cells: dict[str, Decimal]
    live: bool
    status: str | None
    stale: bool = False
    computed_at: datetime.datetime | None = None

    @property
    def total(self) -> Decimal | None:
        return self.cells.get("")


def figures_many(
    pairs: Iterable[tuple[Indicator, ReportingPeriod]], *, disaggregated: bool = True
) -> dict[tuple[int, int], Figures]:
    """``figures`` of several (indicator, period) pairs, keyed by their primary keys.

    The stored values of all pairs are read in one query; each open period of a computed
    indicator costs one computation.
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    stored: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    statuses: dict[tuple[int, int], set[str]] = defaultdict(set)
    computed_at: dict[tuple[int, int], datetime.datetime] = {}
    wanted = {(i.pk, p.pk) for i, p in pairs}
    rows = IndicatorValue.objects.filter(
        indicator_id__in={i.pk for i, _p in pairs}, period_id__in={p.pk for _i, p in pairs}
    ).values_list("indicator_id", "period_id", "cell", "value", "status", "computed_at")
    for indicator_id, period_id, cell, value, status, at in rows.order_by():
        key = (indicator_id, period_id)
        if key not in wanted:
            continue
        statuses[key].add(status)
        if disaggregated or cell == "":
            stored[key][cell] = value
        if at is not None and (key not in computed_at or at > computed_at[key]):
            computed_at[key] = at

    for indicator, period in pairs:
        if indicator.project_id != period.project_id:
            raise ValueError("The period belongs to another project than the indicator.")
    live = [(i, p) for i, p in pairs if i.method == Indicator.Method.COMPUTED and not p.is_locked]
    stamps = data_stamps((i.organisation_id, i.project_id) for i, _p in live)
    found = _live_many(live, disaggregated=disaggregated, stamps=stamps)

    out = {}
    # Ratios last, so that they divide the figures of their parts found here.
    known: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(dict)
    for indicator, period in sorted(pairs, key=lambda p: measure_of(p[0]) == "ratio"):
        key = (indicator.pk, period.pk)
        status = min(statuses[key], key=STATUS_ORDER.index) if statuses[key] else None
        if indicator.method == Indicator.Method.COMPUTED and not period.is_locked:
            cells = found.get(key)
            if cells is None:
                cells = compute(
                    indicator,
                    period,
                    disaggregated=disaggregated,
                    known=known[period.pk],
                    stamp=stamps[(indicator.organisation_id, indicator.project_id)],
                )
            stale = bool(stored[key]) and stored[key] != cells
            out[key] = Figures(cells, True, status, stale, computed_at.get(key))
        else:
            out[key] = Figures(dict(stored[key]), False, status, False, computed_at.get(key))
        known[period.pk][indicator.code] = out[key].cells
    return out


def _live_many(
    pairs: list[tuple[Indicator, ReportingPeriod]], *, disaggregated: bool, stamps: dict
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """Live figures of open periods of computed indicators other than ratios: those kept in the
    cache, and the others computed, those sharing a definition and a window in one query for
    all their projects, then kept."""
    pairs = [(i, p) for i, p in pairs if measure_of(i) != "ratio"]
    seconds = settings.SUIVI_FIGURES_CACHE_SECONDS
    keys = {}
    if seconds:
        keys = {
            (i.pk, p.pk): _cache_key(i, p, disaggregated, stamps[(i.organisation_id, i.project_id)])
            for i, p in pairs
        }
    kept = cache.get_many(list(keys.values())) if keys else {}
    found = {pk: dict(kept[key]) for pk, key in keys.items() if key in kept}
    together: dict[str, list[tuple[Indicator, ReportingPeriod]]] = defaultdict(list)
    for indicator, period in pairs:
        if (indicator.pk, period.pk) in found:
            continue
        if _together(indicator):
            together[_together_key(indicator, period, disaggregated)].append((indicator, period))
        else:
            found[(indicator.pk, period.pk)] = _compute(
                indicator, period, disaggregated=disaggregated, known=None
            )
    for group in together.values():
        for lane in _lanes(group):
            found.update(_compute_together(lane, disaggregated=disaggregated))
    if seconds:
        fresh = {keys[pk]: cells for pk, cells in found.items() if keys[pk] not in kept}
        cache.set_many(fresh, seconds)
    return found


def project_span(project) -> ReportingPeriod:
    """An unsaved period covering the whole project: the window of its life-of-project figure."""
    return ReportingPeriod(
        pk=None,
        organisation_id=project.organisation_id,
        project=project,
        kind="project",
        year=project.start_date.year,
        start=project.start_date,
        end=project.end_date,
    )


def life_of_project(indicator: Indicator, *, stamp: str | None = None) -> Figures:
    """The total of a computed indicator over the whole project (each person once)."""
    cells = compute(indicator, project_span(indicator.project), disaggregated=False, stamp=stamp)
    return Figures(cells, True, None)


def lives_of_project(indicator_list: Iterable[Indicator]) -> dict[int, Figures]:
    """``life_of_project`` of computed indicators, by primary key: those of projects with the
    same dates and of the same definition computed together, ratios from their parts."""
    indicator_list = [i for i in indicator_list if i.method == Indicator.Method.COMPUTED]
    stamps = data_stamps((i.organisation_id, i.project_id) for i in indicator_list)
    spans = {i.project_id: project_span(i.project) for i in indicator_list}
    pairs = [(i, spans[i.project_id]) for i in indicator_list]
    found = _live_many(pairs, disaggregated=False, stamps=stamps)
    known: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(dict)
    for indicator, _span in pairs:
        if (indicator.pk, None) in found:
            known[indicator.project_id][indicator.code] = found[(indicator.pk, None)]
    out = {}
    for indicator, span in pairs:
        cells = found.get((indicator.pk, None))
        if cells is None:  # a ratio, of the parts found here
            cells = compute(
                indicator,
                span,
                disaggregated=False,
                known=known[indicator.project_id],
                stamp=stamps[(indicator.organisation_id, indicator.project_id)],
            )
        out[indicator.pk] = Figures(cells, True, None)
    return out


def warm(indicator_list: Iterable[Indicator], periods: Iterable[ReportingPeriod], *, today) -> int:
    """Compute and keep what the logframe report, the dashboards and the donor reports read of
    these computed indicators: each begun open period's total and the life of project.
    A cumulative indicator's life of project is the figure of its latest begun period, already
    among them. Returns the number of figures computed or found kept."""
    indicator_list = [i for i in indicator_list if i.method == Indicator.Method.COMPUTED]
    periods = [p for p in periods if not p.is_locked and p.start <= today]
    by_project: dict[int, list[ReportingPeriod]] = defaultdict(list)
    for period in periods:
        by_project[period.project_id].append(period)
    pairs = [(i, p) for i in indicator_list for p in by_project[i.project_id]]
    figures_many(pairs, disaggregated=False)
    lives = lives_of_project(
        i for i in indicator_list if not i.cumulative and i.project.start_date <= today
    )
    return len(pairs) + len(lives)


def figures(
    indicator: Indicator, period: ReportingPeriod, *, disaggregated: bool = True
) -> Figures:
    """The figures of an indicator in a period, as every page, API and export shows them.

    Open period of a computed indicator: computed now. Locked period, or an indicator entered
    by hand: the stored values (possibly none).
    """
    return figures_many([(indicator, period)], disaggregated=disaggregated)[
        (indicator.pk, period.pk)
    ]


def achievement(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """The actual figure as a percentage of the target (None without both, or a zero target)."""
    if actual is None or target is None or target == 0:
        return None
    return actual * 100 / target


def achievement_status(percent: Decimal | None) -> str | None:
    """green at 90% and above, amber from 60% to below 90%, red below 60%."""
    if percent is None:
        return None
    if percent >= 90:
        return "green"
    if percent >= 60:
        return "amber"
    return "red"


# --- Definitions in words ---------------------------------------------------------------------


def _labels(choices, codes) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(c, c)) for c in codes)


def describe(indicator: Indicator) -> list[str]:
    """An indicator's definition as sentences in the user's language."""
    if indicator.method != Indicator.Method.COMPUTED:
        return [_("Entered by hand each period, with a file as evidence.")]
    d = indicator.definition
    source, measure = d.get("source"), measure_of(indicator)
    if source == "ratio":
        return _describe_ratio(d)
    kinds = _labels(Session.Kind.choices, d.get("session_kinds", [])) or _("any type")
    what = _labels(Distribution.Kind.choices, d.get("distribution_kinds", [])) or _("any type")
    item = d.get("item_contains", "")
    min_count = d.get("min_count", 1)
    sentences = []
    if source == "attendance" and measure == "persons":
        sentences.append(
            _("Counts distinct registered persons present at sessions of %(kinds)s.")
            % {"kinds": kinds}
        )
    elif source == "attendance":
        sentences.append(
            _("Counts attendance records (one per person and session) at sessions of %(kinds)s.")
            % {"kinds": kinds}
        )
    elif source == "distribution":
        sentences.append(
            {
                "persons": _("Counts distinct persons who received distributions of %(what)s."),
                "households": _(
                    "Counts distinct households that received distributions of %(what)s "
                    "(directly or through one of their members)."
                ),
                "groups": _(
                    "Counts distinct community groups that received distributions of %(what)s."
                ),
                "rows": _("Counts distributions of %(what)s."),
                "quantity": _("Adds up the quantities distributed of %(what)s."),
                "value": _("Adds up the value of distributions of %(what)s."),
            }[measure]
            % {"what": what}
        )
        if item:
            sentences.append(_("Only items whose name contains “%(text)s”.") % {"text": item})
    elif source == "registration":
        sentences.append(_("Counts persons registered in the project."))
    elif source == "session":
        sentences.append(_("Counts sessions of %(kinds)s held.") % {"kinds": kinds})
    elif source == "reach":
        sentences.append(
            _("Adds up the people counted at sessions of %(kinds)s (reach by sex and age).")
            % {"kinds": kinds}
        )
    if min_count > 1 and measure in ("persons", "households"):
        sentences.append(
            ngettext(
                "Only those counted at least %(count)s time.",
                "Only those counted at least %(count)s times.",
                min_count,
            )
            % {"count": min_count}
        )
    sentences.extend(_describe_person(d.get("person", {}), source))
    sentences.extend(_describe_scope(d))
    if indicator.cumulative:
        sentences.append(
            _("Counted from the start of the project (%(date)s) to the last day of the period.")
            % {"date": indicator.project.start_date.strftime("%d/%m/%Y")}
        )
    else:
        sentences.append(_("Counted within each period."))
    return sentences


def _describe_person(spec: dict, source: str) -> list[str]:
    if not spec:
        return []
    parts = []
    if spec.get("sex") == "F":
        parts.append(_("women and girls"))
    elif spec.get("sex") == "M":
        parts.append(_("men and boys"))
    if source == "reach":
        return [_("Only: %(who)s.") % {"who": ", ".join(parts)}] if parts else []
    if spec.get("population_groups"):
        parts.append(_labels(PopulationGroup.choices, spec["population_groups"]))
    if spec.get("disability") is True:
        parts.append(_("persons with a disability"))
    elif spec.get("disability") is False:
        parts.append(_("persons without a disability"))
    low, high = spec.get("age_min"), spec.get("age_max")
    if low is not None and high is not None:
        parts.append(_("aged %(low)s to %(high)s") % {"low": low, "high": high})
    elif low is not None:
        parts.append(_("aged %(low)s or more") % {"low": low})
    elif high is not None:
        parts.append(_("aged %(high)s or less") % {"high": high})
    sentences = [_("Only: %(who)s.") % {"who": "; ".join(parts)}]
    if low is not None or high is not None:
        sentences.append(_("Ages are taken on the last day of the period."))
    return sentences


def _describe_ratio(d: dict) -> list[str]:
    if isinstance(d.get("denominator"), str):
        sentence = _("Divides indicator %(numerator)s by indicator %(denominator)s, cell by cell.")
    else:
        sentence = _("Divides indicator %(numerator)s by %(denominator)s, cell by cell.")
    sentences = [sentence % {"numerator": d.get("numerator"), "denominator": d.get("denominator")}]
    scale = d.get("scale", 1)
    if scale != 1:
        sentences.append(_("The result is multiplied by %(scale)s.") % {"scale": scale})
    sentences.append(_("A cell whose denominator is zero has no value."))
    return sentences


def _describe_scope(d: dict) -> list[str]:
    sentences = []
    if d.get("areas"):
        names = [str(a) for a in Area.objects.filter(pcode__in=d["areas"]).order_by("pcode")]
        sentences.append(
            _("Only in: %(areas)s (and the areas within).") % {"areas": ", ".join(names)}
        )
    if d.get("partners"):
        names = Organisation.objects.filter(pk__in=d["partners"]).order_by("name")
        sentences.append(
            _("Only the work of: %(partners)s.") % {"partners": ", ".join(o.name for o in names)}
        )
    if d.get("planned_activities"):
        names = PlannedActivity.objects.filter(pk__in=d["planned_activities"]).order_by("pk")
        sentences.append(
            _("Only under the planned activities: %(activities)s.")
            % {"activities": ", ".join(str(a) for a in names)}
        )
    return sentences
