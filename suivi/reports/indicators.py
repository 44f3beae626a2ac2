"""The indicator engine: figures of a computed indicator for a period, with disaggregations.

It reads delivery and registry rows with grouped queries (one per indicator and period) and
never loads persons into memory. Cells are keyed ``dimension=value`` joined by ``|`` in the
order of ``Dimension``; the total is the cell "".
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Substr

from suivi.delivery.models import Attendance, Distribution, ReachCount
from suivi.lib import ages
from suivi.projects.models import Dimension, Indicator, ReportingPeriod
from suivi.registry.models import Person, Registration

DIMENSION_ORDER = list(Dimension.values)


def window(indicator: Indicator, period: ReportingPeriod) -> tuple[datetime.date, datetime.date]:
    start = indicator.project.start_date if indicator.cumulative else period.start
    return start, period.end


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
        "area": Coalesce(Substr(f"{prefix}area__pcode", 1, 4), Value(ages.UNKNOWN)),
    }


def person_filter(prefix: str, spec: dict, on: datetime.date) -> Q:
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


def cell_key(dims: list[str], row: dict) -> str:
    return "|".join(f"{d}={row[d]}" for d in dims)


def _rollup(dims: list[str], grouped: list[tuple[dict, Decimal]]) -> dict[str, Decimal]:
    """Total, one-dimension margins and the full cross, from additive grouped figures."""
    cells: dict[str, Decimal] = {"": Decimal(0)}
    for row, amount in grouped:
        cells[""] += amount
        for d in dims:
            key = f"{d}={row[d]}"
            cells[key] = cells.get(key, Decimal(0)) + amount
        if len(dims) > 1:
            key = cell_key(dims, row)
            cells[key] = cells.get(key, Decimal(0)) + amount
    return cells


def source_rows(indicator: Indicator, period: ReportingPeriod) -> tuple[QuerySet, str]:
    """The delivery rows an indicator counts in a period, and the path to their person."""
    d = indicator.definition
    start, end = window(indicator, period)
    project = indicator.project
    source = d["source"]
    if source == "attendance":
        rows = Attendance.objects.filter(
            session__project=project, session__date__gte=start, session__date__lte=end
        )
        if d.get("session_kinds"):
            rows = rows.filter(session__kind__in=d["session_kinds"])
        return rows, "person__"
    if source == "distribution":
        rows = Distribution.objects.filter(project=project, date__gte=start, date__lte=end)
        if d.get("distribution_kinds"):
            rows = rows.filter(kind__in=d["distribution_kinds"])
        if d.get("item_contains"):
            rows = rows.filter(item__icontains=d["item_contains"])
        return rows, "person__"
    if source == "registration":
        rows = Registration.objects.filter(
            project=project, registered_on__gte=start, registered_on__lte=end
        )
        return rows, "person__"
    if source == "reach":
        rows = ReachCount.objects.filter(
            session__project=project, session__date__gte=start, session__date__lte=end
        )
        if d.get("session_kinds"):
            rows = rows.filter(session__kind__in=d["session_kinds"])
        return rows, ""
    raise ValueError(source)


def qualifying_persons(indicator: Indicator, period: ReportingPeriod) -> QuerySet:
    """Persons counted by a ``persons`` indicator in a period (also the rows behind a figure)."""
    d = indicator.definition
    _start, end = window(indicator, period)
    rows, _prefix = source_rows(indicator, period)
    rows = rows.filter(person__isnull=False)
    min_count = d.get("min_count", 1)
    if min_count > 1:
        ids = rows.values("person_id").annotate(n=Count("pk")).filter(n__gte=min_count)
        ids = ids.values("person_id")
    else:
        ids = rows.values("person_id")
    return Person.objects.filter(pk__in=ids).filter(person_filter("", d.get("person", {}), end))


def compute(indicator: Indicator, period: ReportingPeriod) -> dict[str, Decimal]:
    """The figures of a computed indicator for a period: {cell: value}."""
    d = indicator.definition
    dims = [x for x in DIMENSION_ORDER if x in (indicator.disaggregations or [])]
    _start, end = window(indicator, period)
    measure = d.get("measure", "people" if d["source"] == "reach" else "persons")

    if measure == "people":
        rows, _prefix = source_rows(indicator, period)
        dims = [x for x in dims if x in ("sex", "age_band")]
        grouped = rows.values(*dims).annotate(amount=Sum("count"))
        return _rollup(dims, [(g, Decimal(g["amount"] or 0)) for g in grouped])

    if measure == "persons":
        persons = qualifying_persons(indicator, period)
        exprs = dimension_expressions("", end)
        grouped = persons.annotate(**{k: exprs[k] for k in dims}).values(*dims)
        grouped = grouped.annotate(amount=Count("pk"))
        return _rollup(dims, [(g, Decimal(g["amount"])) for g in grouped])

    rows, prefix = source_rows(indicator, period)
    rows = rows.filter(person_filter(prefix, d.get("person", {}), end))
    if measure == "households":
        ids = rows.annotate(hh=Coalesce("household_id", "person__household_id")).filter(
            hh__isnull=False
        )
        count = ids.values("hh").distinct().count()
        return {"": Decimal(count)}
    exprs = dimension_expressions(prefix, end)
    aggregate = {
        "rows": Count("pk"),
        "quantity": Sum("quantity"),
        "value": Sum("value"),
    }[measure]
    grouped = rows.annotate(**{f"d_{k}": exprs[k] for k in dims})
    grouped = grouped.values(*[f"d_{k}" for k in dims]).annotate(amount=aggregate)
    return _rollup(
        dims,
        [({k: g[f"d_{k}"] for k in dims}, Decimal(g["amount"] or 0)) for g in grouped],
    )
