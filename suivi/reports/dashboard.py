"""Dashboards of a project or of the portfolio: reach, activity by month, indicators, a map.

The partners' reports due come last: the reports partners still owe under their agreements,
overdue first (most days late first), then those due in the next ``DUE_SOON_DAYS`` days, in one
query whatever the number of agreements.

Reach is the persons registered in the projects (each person once), by sex, age band (on the
day the dashboard is read) and administrative area, plus the people counted at sessions
without registration. Everything comes from grouped queries: a fixed number whatever the size
of the registry; the indicators cost one computation each, as on the home page.

There are no boundary geometries in Suivi (the P-code list has none), so the map is a tile map:
one labelled square per admin 1 area, placed by the fixed layout below, shaded by its reach;
admin 2 areas are drawn as squares grouped under their admin 1.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from suivi.delivery.models import Distribution, ReachCount, Session
from suivi.lib import ages, periods, svg
from suivi.partners.models import PartnerReport
from suivi.places.models import Area
from suivi.projects.models import Indicator, Project, ReportingPeriod, Target
from suivi.registry.models import Person, Registration, Sex
from suivi.reports import indicators

# (column, row) of each admin 1 area on its country's tile map, roughly as on a map.
TILE_LAYOUT = {
    "ML": {
        "ML06": (2, 0),  # Tombouctou
        "ML08": (3, 0),  # Kidal
        "ML01": (0, 1),  # Kayes
        "ML04": (1, 1),  # Ségou
        "ML05": (2, 1),  # Mopti
        "ML07": (3, 1),  # Gao
        "ML02": (1, 2),  # Koulikoro
        "ML03": (2, 2),  # Sikasso
        "ML10": (3, 2),  # Ménaka
        "ML09": (1, 3),  # Bamako
    },
    "MR": {
        "MR08": (0, 0),  # Dakhlet Nouadhibou
        "MR11": (2, 0),  # Tiris Zemmour
        "MR12": (0, 1),  # Inchiri
        "MR07": (1, 1),  # Adrar
        "MR14": (0, 2),  # Nouakchott-Nord
        "MR09": (2, 2),  # Tagant
        "MR01": (4, 2),  # Hodh Ech Chargui
        "MR13": (0, 3),  # Nouakchott-Ouest
        "MR06": (1, 3),  # Trarza
        "MR05": (2, 3),  # Brakna
        "MR03": (3, 3),  # Assaba
        "MR02": (4, 3),  # Hodh El Gharbi
        "MR15": (0, 4),  # Nouakchott-Sud
        "MR04": (2, 4),  # Gorgol
        "MR10": (3, 4),  # Guidimakha
    },
}
MONTHS_SHOWN = 12
# The partners' reports panel: reports due within this many days, at most this many rows each.
DUE_SOON_DAYS = 30
DUE_ROWS = 50
ADMIN2_PER_ROW = 8


@dataclass
class Dashboard:
    projects: list[Project]
    today: datetime.date
    registered: int
    counted: int
    by_sex: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    by_admin1: list[dict]
    by_admin2: list[dict]
    months: list[str]
    sessions: list[int]
    distributions: list[int]
    indicator_rows: list[dict]
    charts: dict
    partner_reports: dict | None = None


def _partner_reports(user, projects: list[Project], today: datetime.date) -> dict | None:
    """Reports the partners still owe: overdue (most late first), then due in the next
    ``DUE_SOON_DAYS`` days. None when the user may see no partner report (donor viewers)."""
    visible = PartnerReport.objects.visible_to(user)
    if visible.query.is_empty():
        return None
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    rows = list(
        visible.outstanding()
        .filter(project__in=projects, due_date__lte=soon)
        .select_related("agreement__partner", "project")
        .order_by("due_date", "agreement__reference", "final", "kind", "pk")
    )
    overdue, due_soon = [], []
    for report in rows:
        report.late = report.days_late(today)
        report.due_in = (report.due_date - today).days
        (overdue if report.late else due_soon).append(report)
    return {
        "overdue": overdue[:DUE_ROWS],
        "overdue_count": len(overdue),
        "due_soon": due_soon[:DUE_ROWS],
        "due_soon_count": len(due_soon),
        "days": DUE_SOON_DAYS,
    }


def _persons(projects: list[Project]):
    return Person.objects.filter(
        pk__in=Registration.objects.filter(project__in=projects).values("person_id")
    )


def _reach(projects: list[Project], today: datetime.date):
    """(sex, age band, area id) -> persons, in one grouped query."""
    rows = (
        _persons(projects)
        .order_by()
        .annotate(band=indicators.age_band_expression("", today))
        .values("sex", "band", "area_id")
        .annotate(n=Count("pk"))
    )
    return [(r["sex"] or ages.UNKNOWN, r["band"], r["area_id"], r["n"]) for r in rows]


def _areas(area_ids: set[int]) -> dict[int, Area]:
    """The areas and their ancestors up to the country, in at most four queries."""
    found: dict[int, Area] = {}
    wanted = {a for a in area_ids if a is not None}
    while wanted:
        batch = {a.pk: a for a in Area.objects.filter(pk__in=wanted)}
        found.update(batch)
        wanted = {a.parent_id for a in batch.values() if a.parent_id} - set(found)
    return found


def _ancestor(area: Area | None, level: int, areas: dict[int, Area]) -> Area | None:
    while area is not None and area.level > level:
        area = areas.get(area.parent_id)
    return area if area is not None and area.level == level else None


def _months(today: datetime.date, projects: list[Project]) -> list[tuple[int, int]]:
    start = min((p.start_date for p in projects), default=today)
    end = min(max((p.end_date for p in projects), default=today), today)
    months = list(periods.iterate(periods.MONTH, start, max(start, end)))
    return months[-MONTHS_SHOWN:]


def _per_month(rows, months: list[tuple[int, int]]) -> list[int]:
    if not months:
        return []
    first = datetime.date(months[0][0], months[0][1], 1)
    counted = (
        rows.filter(date__gte=first)
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    by_month = {}
    for r in counted:
        month = r["month"]
        by_month[(month.year, month.month)] = r["n"]
    return [by_month.get(m, 0) for m in months]


def _current_quarter(quarters: list[ReportingPeriod], today: datetime.date):
    for p in quarters:
        if p.start <= today <= p.end:
            return p
    begun = [p for p in quarters if p.start <= today]
    return max(begun, key=lambda p: p.start) if begun else None


def _indicator_rows(user, projects: list[Project], today: datetime.date) -> list[dict]:
    """This quarter's figure of every indicator against its target."""
    quarters = defaultdict(list)
    for period in ReportingPeriod.objects.visible_to(user).filter(
        project__in=projects, kind=periods.QUARTER
    ):
        quarters[period.project_id].append(period)
    current = {p.pk: _current_quarter(quarters[p.pk], today) for p in projects}
    by_pk = {p.pk: p for p in projects}
    listed = (
        Indicator.objects.visible_to(user).filter(project__in=projects).order_by("project", "code")
    )
    pairs = []
    for indicator in listed:
        indicator.project = by_pk[indicator.project_id]
        if current.get(indicator.project_id) is not None:
            pairs.append((indicator, current[indicator.project_id]))
    figures = indicators.figures_many(pairs, disaggregated=False)
    targets = {
        (t.indicator_id, t.period_id): t.value
        for t in Target.objects.visible_to(user).filter(
            indicator__in=[i for i, _p in pairs], period__in=[p for _i, p in pairs]
        )
    }
    rows = []
    for indicator, period in pairs:
        fig = figures[(indicator.pk, period.pk)]
        target = targets.get((indicator.pk, period.pk))
        percent = indicators.achievement(fig.total, target)
        rows.append(
            {
                "indicator": indicator,
                "period": period,
                "figures": fig,
                "target": target,
                "percent": percent,
                "colour": indicators.achievement_status(percent),
                "bar": min(int(percent), 100) if percent is not None else 0,
            }
        )
    return rows


def _tiles(admin1: dict[str, dict]) -> dict[str, list[svg.Tile]]:
    out = {}
    for country, layout in TILE_LAYOUT.items():
        if not any(code.startswith(country) for code in admin1):
            continue
        out[country] = [
            svg.Tile(
                col,
                row,
                code,
                admin1.get(code, {}).get("name", code),
                admin1.get(code, {}).get("value", 0),
            )
            for code, (col, row) in layout.items()
        ]
    return out


def _admin2_tiles(admin2: list[dict]) -> list[svg.Tile]:
    """Admin 2 areas in rows, one row (or more) per admin 1, in P-code order."""
    tiles, row, col, current = [], -1, 0, None
    for item in sorted(admin2, key=lambda a: a["code"]):
        if item["parent"] != current or col >= ADMIN2_PER_ROW:
            row, col, current = row + 1, 0, item["parent"]
        tiles.append(svg.Tile(col, row, item["code"], item["name"], item["value"]))
        col += 1
    return tiles


def build(*, user, projects: list[Project], today: datetime.date) -> Dashboard:
    """The dashboard of ``projects`` (already fetched through the gate) as ``user`` reads it."""
    reach = _reach(projects, today)
    sexes, bands, by_area = Counter(), Counter(), Counter()
    for sex, band, area_id, n in reach:
        sexes[sex] += n
        bands[band] += n
        by_area[area_id] += n
    registered = sum(sexes.values())
    counted = (
        ReachCount.objects.filter(session__project__in=projects)
        .order_by()
        .aggregate(n=Sum("count"))["n"]
        or 0
    )
    sex_labels = dict(Sex.choices)
    by_sex = [(str(sex_labels.get(s, _("Unknown"))), sexes[s]) for s in [*Sex.values, "unknown"]]
    by_sex = [(label, n) for label, n in by_sex if n or label != _("Unknown")]
    by_age = [(b, bands[b]) for b in ages.AGE_BAND_CODES] + (
        [(_("Unknown"), bands[ages.UNKNOWN])] if bands[ages.UNKNOWN] else []
    )

    areas = _areas(set(by_area))
    admin1, admin2 = defaultdict(int), defaultdict(int)
    unplaced = 0
    for area_id, n in by_area.items():
        area = areas.get(area_id)
        first = _ancestor(area, 1, areas)
        if first is None:
            unplaced += n
            continue
        admin1[first.pk] += n
        second = _ancestor(area, 2, areas)
        if second is not None:
            admin2[second.pk] += n
    by_admin1 = sorted(
        (
            {"code": areas[pk].pcode, "name": areas[pk].name, "value": n, "parent": None}
            for pk, n in admin1.items()
        ),
        key=lambda a: a["code"],
    )
    by_admin2 = sorted(
        (
            {
                "code": areas[pk].pcode,
                "name": areas[pk].name,
                "value": n,
                "parent": areas[areas[pk].parent_id].pcode,
            }
            for pk, n in admin2.items()
        ),
        key=lambda a: a["code"],
    )
    if unplaced:
        by_admin1.append({"code": "", "name": _("No admin 1 area"), "value": unplaced})

    months = _months(today, projects)
    month_labels = [f"{m:02d}/{str(y)[2:]}" for y, m in months]
    sessions = _per_month(Session.objects.filter(project__in=projects), months)
    distributions = _per_month(Distribution.objects.filter(project__in=projects), months)

    charts = {
        "sex": svg.bars(by_sex, title=_("Persons registered by sex")),
        "age": svg.bars(by_age, title=_("Persons registered by age band")),
        "months": svg.columns(
            month_labels,
            [(_("Sessions"), sessions), (_("Distributions"), distributions)],
            title=_("Sessions and distributions per month"),
        ),
        "maps": [
            (country, svg.tile_map(tiles, title=_("Persons registered by admin 1 area")))
            for country, tiles in _tiles({a["code"]: a for a in by_admin1}).items()
        ],
        "admin2": svg.tile_map(
            _admin2_tiles(by_admin2), title=_("Persons registered by admin 2 area"), size=40
        ),
    }
    return Dashboard(
        projects=projects,
        today=today,
        registered=registered,
        counted=counted,
        by_sex=by_sex,
        by_age=by_age,
        by_admin1=by_admin1,
        by_admin2=by_admin2,
        months=month_labels,
        sessions=sessions,
        distributions=distributions,
        indicator_rows=_indicator_rows(user, projects, today),
        charts=charts,
        partner_reports=_partner_reports(user, projects, today),
    )
