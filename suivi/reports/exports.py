"""Standard exports of a project's figures as tables for ``suivi.lib.export``, with HXL tags.

- ``indicator_table``: one row per indicator for a reporting period, the figures of
  ``indicators.figures`` (the numbers of the indicator page and of the API), with sex and age
  columns.
- ``fivew_table``: the 5W (who, what, where, when, for whom) of a period, one row per partner,
  activity and admin 2 area, with the distinct persons reached by sex and age, counted from the
  delivery rows (attendance and distributions to persons).

Sex and age columns use the HXL core disaggregation attributes: +f, +m and, for Suivi's age
bands, +infants (0-4), +children (5-11), +adolescents (12-17), +adults (18-24 and 25-59: two
columns with one tag, told apart by their header) and +elderly (60+). The core schema has no
attribute for a target or a baseline: those columns are left untagged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import partner_of
from suivi.delivery.models import Attendance, Distribution, Session
from suivi.lib import ages
from suivi.lib.export import Column, Table
from suivi.places.models import Area
from suivi.projects.models import Indicator, IndicatorValue, Project, ReportingPeriod, Target
from suivi.registry.models import Sex
from suivi.reports import indicators

AGE_ATTRIBUTES = {
    "0-4": "+infants",
    "5-11": "+children",
    "12-17": "+adolescents",
    "18-24": "+adults",
    "25-59": "+adults",
    "60+": "+elderly",
}
SEX_ATTRIBUTES = {Sex.FEMALE: "+f", Sex.MALE: "+m"}


def period_code(period: ReportingPeriod) -> str:
    """The period as HXL prefers dates: 2026-Q1, 2026-03, 2026."""
    if period.kind == ReportingPeriod.Kind.QUARTER:
        return f"{period.year}-Q{period.number}"
    if period.kind == ReportingPeriod.Kind.MONTH:
        return f"{period.year}-{period.number:02d}"
    return str(period.year)


def sadd_keys() -> list[tuple[str, str, str]]:
    """(cell key, header, HXL attributes) of every sex, age band and sex-by-age column."""
    keys = []
    for sex, attribute in SEX_ATTRIBUTES.items():
        keys.append((f"sex={sex}", str(Sex(sex).label), attribute))
    for band in ages.AGE_BAND_CODES:
        keys.append(
            (f"age_band={band}", _("%(band)s years") % {"band": band}, AGE_ATTRIBUTES[band])
        )
    for sex, attribute in SEX_ATTRIBUTES.items():
        for band in ages.AGE_BAND_CODES:
            header = _("%(sex)s, %(band)s years") % {"sex": Sex(sex).label, "band": band}
            keys.append((f"sex={sex}|age_band={band}", header, attribute + AGE_ATTRIBUTES[band]))
    return keys


def sex_age_cells(cells: dict[str, Decimal]) -> dict[str, Decimal]:
    """Sex, age band and sex-by-age figures from an indicator's cells.

    The full cross of the indicator's dimensions partitions what is counted, so adding its
    cells over the other dimensions gives exact sex-by-age figures.
    """
    out: dict[str, Decimal] = {}
    parsed = {cell: indicators.parse_cell(cell) for cell in cells if cell}
    for cell, p in parsed.items():
        if list(p) in (["sex"], ["age_band"]):
            out[cell] = cells[cell]
    widest = max((len(p) for p in parsed.values()), default=0)
    for cell, p in parsed.items():
        if len(p) == widest and widest > 1 and "sex" in p and "age_band" in p:
            key = f"sex={p['sex']}|age_band={p['age_band']}"
            out[key] = out.get(key, Decimal(0)) + cells[cell]
    return out


# --- Indicators -------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    figures: indicators.Figures
    target: Decimal | None
    sadd: dict[str, Decimal] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.figures.status or ""


def indicator_rows(*, user, project: Project, period: ReportingPeriod) -> list[IndicatorRow]:
    """The indicators of the project the user may see, with their figures in the period."""
    listed = list(
        Indicator.objects.visible_to(user)
        .filter(project=project)
        .select_related("project", "result")
        .order_by("code")
    )
    found = indicators.figures_many([(i, period) for i in listed])
    targets = {
        t.indicator_id: t.value
        for t in Target.objects.visible_to(user).filter(indicator__in=listed, period=period)
    }
    rows = []
    for indicator in listed:
        fig = found[(indicator.pk, period.pk)]
        rows.append(
            IndicatorRow(indicator, fig, targets.get(indicator.pk), sex_age_cells(fig.cells))
        )
    return rows


def unvalidated(rows: list[IndicatorRow]) -> list[IndicatorRow]:
    """Rows whose figures are not validated (computed live, or stored but not validated)."""
    return [r for r in rows if r.figures.status != IndicatorValue.Status.VALIDATED]


def indicator_table(*, project: Project, period: ReportingPeriod, rows: list[IndicatorRow]):
    columns = [
        Column(_("Project code"), "#activity+project+code", lambda r: project.code),
        Column(_("Project"), "#activity+project+name", lambda r: project.title),
        Column(_("Period"), "", lambda r: period_code(period)),
        Column(_("Start"), "#date+start", lambda r: period.start),
        Column(_("End"), "#date+end", lambda r: period.end),
        Column(_("Result"), "", lambda r: r.indicator.result.code),
        Column(_("Indicator code"), "#indicator+code", lambda r: r.indicator.code),
        Column(_("Indicator"), "#indicator+name", lambda r: r.indicator.name),
        Column(_("Unit"), "#indicator+type", lambda r: r.indicator.unit),
        Column(_("Baseline"), "", lambda r: r.indicator.baseline),
        Column(_("Target"), "", lambda r: r.target),
        Column(_("Value"), "#indicator+num", lambda r: r.figures.total),
        Column(_("Validation status"), "#status+code", lambda r: r.status or "none"),
    ]
    for key, header, attributes in sadd_keys():
        columns.append(
            Column(header, "#indicator+num" + attributes, lambda r, key=key: r.sadd.get(key))
        )
    return Table(_("Indicators"), columns, rows)


# --- 5W ---------------------------------------------------------------------------------------


@dataclass
class FiveWRow:
    partner: str
    partner_kind: str
    activity: str
    activity_type: str
    area: Area | None
    reached: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _grouped_reach(rows, person: str, place, partner: str, activity: str, kind: str, on):
    """Distinct persons reached, grouped by partner, activity, place, sex and age band."""
    band = indicators.age_band_expression(f"{person}__", on)
    return (
        rows.filter(**{f"{person}__isnull": False})
        .order_by()
        .annotate(d_place=place, d_partner=F(partner), d_activity=F(activity), d_kind=F(kind))
        .annotate(d_sex=F(f"{person}__sex"), d_band=band)
        .values("d_partner", "d_activity", "d_kind", "d_place", "d_sex", "d_band")
        .annotate(n=Count(person, distinct=True))
    )


def fivew_rows(*, user, project: Project, period: ReportingPeriod) -> list[FiveWRow]:
    """The 5W of a project in a period: persons reached per partner, activity and admin 2.

    A partner focal point sees the rows of their own partner only.
    """
    sessions = Session.objects.filter(project=project)
    distributions = Distribution.objects.filter(project=project)
    own = partner_of(user, project)
    if own is not None:
        sessions = sessions.filter(partner_id=own)
        distributions = distributions.filter(partner_id=own)
    attendance = Attendance.objects.filter(
        session__in=sessions, session__date__gte=period.start, session__date__lte=period.end
    )
    given = distributions.filter(date__gte=period.start, date__lte=period.end)
    grouped = [
        (
            "session",
            _grouped_reach(
                attendance,
                "person",
                Coalesce("session__site__area_id", "session__area_id", "person__area_id"),
                "session__partner_id",
                "session__planned_activity_id",
                "session__kind",
                period.end,
            ),
        ),
        (
            "distribution",
            _grouped_reach(
                given,
                "person",
                Coalesce("site__area_id", "session__site__area_id", "person__area_id"),
                "partner_id",
                "planned_activity_id",
                "kind",
                period.end,
            ),
        ),
    ]
    raw = [(source, g) for source, rows in grouped for g in rows]
    areas = _admin2_of({g["d_place"] for _s, g in raw if g["d_place"]})
    organisations = {o.pk: o for o in [project.organisation, *project.partners.all()]}
    titles = dict(project.planned_activities.values_list("pk", "title_fr"))
    titles_en = dict(project.planned_activities.values_list("pk", "title_en"))
    kinds = {"session": dict(Session.Kind.choices), "distribution": dict(Distribution.Kind.choices)}

    rows: dict[tuple, FiveWRow] = {}
    for source, g in raw:
        area = areas.get(g["d_place"])
        key = (g["d_partner"], source, g["d_activity"], g["d_kind"], area.pk if area else None)
        row = rows.get(key)
        if row is None:
            who = organisations.get(g["d_partner"]) or project.organisation
            kind_label = str(kinds[source].get(g["d_kind"], g["d_kind"]))
            title = None
            if g["d_activity"]:
                english = translation.get_language() == "en"
                title = (titles_en.get(g["d_activity"]) if english else None) or titles.get(
                    g["d_activity"]
                )
            row = rows[key] = FiveWRow(
                who.name, who.get_kind_display(), title or kind_label, g["d_kind"], area
            )
        n = g["n"]
        row.reached[""] += n
        row.reached[f"sex={g['d_sex']}"] += n
        row.reached[f"age_band={g['d_band']}"] += n
        row.reached[f"sex={g['d_sex']}|age_band={g['d_band']}"] += n
    return sorted(
        rows.values(),
        key=lambda r: (r.partner, r.area.pcode if r.area else "~", r.activity),
    )


def _admin2_of(area_ids: set[int]) -> dict[int, Area | None]:
    """The admin 2 area (or the admin 1 area for a place known only at that level) of each
    area id."""
    places = Area.objects.filter(pk__in=area_ids).select_related("parent__parent__parent")
    out = {}
    for area in places:
        out[area.pk] = area.ancestor_at(2) or area.ancestor_at(1)
    return out


def fivew_table(*, project: Project, period: ReportingPeriod, rows: list[FiveWRow]) -> Table:
    donors = "; ".join(d.name for d in project.donors.order_by("name"))
    sectors = list(project.sectors.all())

    def admin(level: int, what: str):
        def get(row: FiveWRow):
            area = row.area.ancestor_at(level) if row.area else None
            return getattr(area, what) if area else ""

        return get

    columns = [
        Column(_("Organisation"), "#org+prog+name", lambda r: project.organisation.name),
        Column(_("Partner"), "#org+impl+name", lambda r: r.partner),
        Column(_("Partner type"), "#org+impl+type", lambda r: r.partner_kind),
        Column(_("Donors"), "#org+funder+name", lambda r: donors),
        Column(_("Project code"), "#activity+project+code", lambda r: project.code),
        Column(_("Project"), "#activity+project+name", lambda r: project.title),
        Column(_("Sector code"), "#sector+code", lambda r: ", ".join(s.code for s in sectors)),
        Column(_("Sector"), "#sector+name", lambda r: ", ".join(str(s) for s in sectors)),
        Column(_("Activity"), "#activity+name", lambda r: r.activity),
        Column(_("Activity type"), "#activity+type", lambda r: r.activity_type),
        Column(_("Status"), "#status+name", lambda r: project.get_status_display()),
        Column(
            _("Country"),
            "#country+code",
            lambda r: r.area.country if r.area else "",
        ),
        Column(_("Admin 1 P-code"), "#adm1+code", admin(1, "pcode")),
        Column(_("Admin 1"), "#adm1+name", admin(1, "name")),
        Column(_("Admin 2 P-code"), "#adm2+code", admin(2, "pcode")),
        Column(_("Admin 2"), "#adm2+name", admin(2, "name")),
        Column(_("Period"), "", lambda r: period_code(period)),
        Column(_("Start"), "#date+start", lambda r: period.start),
        Column(_("End"), "#date+end", lambda r: period.end),
        Column(_("Persons reached"), "#reached+ind", lambda r: r.reached[""]),
    ]
    for key, header, attributes in sadd_keys():
        columns.append(
            Column(header, "#reached+ind" + attributes, lambda r, key=key: r.reached.get(key, 0))
        )
    return Table(_("5W"), columns, rows)
