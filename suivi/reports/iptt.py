"""The logframe report in the IPTT style (indicator performance tracking table).

One row per indicator, in the order of the results tree; for each period of the chosen kind the
target, the actual figure (from ``indicators.figures``, nothing else), the percentage achieved
and its colour; and a life-of-project column. The page, its XLSX download and the donor reports
all read ``table``.

Life of project: the target is the one of the last year for a cumulative indicator (it already
counts from the start) and the sum of the yearly targets otherwise. The actual of a computed
indicator is computed over the whole project (each person once), or, when it is cumulative, is
the figure of the latest begun period shown; the actual of an indicator entered by hand is the
latest stored yearly total when cumulative, the sum of the stored yearly totals otherwise.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from suivi.lib import periods
from suivi.projects.models import Indicator, Project, ReportingPeriod, Result, Target
from suivi.reports import indicators

KINDS = (periods.MONTH, periods.QUARTER, periods.YEAR)
KIND_ORDER = {periods.MONTH: 0, periods.QUARTER: 1, periods.YEAR: 2}


@dataclass
class Cell:
    """One indicator in one period (or over the life of the project when ``period`` is None)."""

    period: ReportingPeriod | None
    target: Decimal | None
    figures: indicators.Figures | None
    percent: Decimal | None
    colour: str | None

    @property
    def actual(self) -> Decimal | None:
        return self.figures.total if self.figures is not None else None

    @property
    def bar(self) -> int:
        return min(int(self.percent), 100) if self.percent is not None else 0


@dataclass
class Row:
    indicator: Indicator
    result: Result
    cells: list[Cell]
    lop: Cell


@dataclass
class Table:
    project: Project
    kind: str
    kinds: list[str]
    periods: list[ReportingPeriod]
    results: list[Result]  # tree order, each with ``depth``
    rows: list[Row]
    lop_label: str = field(default="")
    year: int | None = None
    years: list[int] = field(default_factory=list)

    def rows_of(self, result: Result) -> list[Row]:
        return [r for r in self.rows if r.result.pk == result.pk]


def _no_progress(done: int, total: int) -> None:
    pass


def _cell(period, target, fig) -> Cell:
    percent = indicators.achievement(fig.total if fig is not None else None, target)
    return Cell(period, target, fig, percent, indicators.achievement_status(percent))


def _tree_order(results: list[Result]) -> list[Result]:
    """Depth-first, children in code order; results whose parent is hidden start a branch."""
    known = {r.pk for r in results}
    children: dict[int | None, list[Result]] = {}
    for result in results:
        children.setdefault(result.parent_id if result.parent_id in known else None, []).append(
            result
        )
    out: list[Result] = []

    def walk(parent_id, depth):
        for result in sorted(children.get(parent_id, []), key=Result.sort_key):
            result.tree_depth = depth
            out.append(result)
            walk(result.pk, depth + 1)

    walk(None, 0)
    return out


def table(
    *,
    user,
    project: Project,
    kind: str = periods.QUARTER,
    today: datetime.date | None = None,
    only: list[ReportingPeriod] | None = None,
    year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Table:
    """The IPTT of a project as ``user`` may see it (indicators, results, periods gated).

    ``only``: the periods to show instead of every period of ``kind`` (a donor report shows
    its own; an unsaved period stands for a window that is no reporting period, a week).
    ``year``: months and quarters of that year only (default: the year of ``today`` within the
    project's years); years are always all shown.

    Periods of the chosen kind that have not begun are listed with their targets only: an
    open period without data is not computed. Costs one computation per computed indicator and
    begun open period, plus a fixed number of queries.

    ``progress(done, total)`` is told how far the computations went: the periods' figures are
    one step, each life-of-project figure computed one more (a donor report shows it).
    """
    today = today or timezone.localdate()
    all_periods = list(ReportingPeriod.objects.visible_to(user).filter(project=project))
    kinds = [k for k in KINDS if any(p.kind == k for p in all_periods)]
    if kind not in kinds and kinds:
        kind = periods.QUARTER if periods.QUARTER in kinds else kinds[0]
    if only is not None:
        chosen, kind = list(only), only[0].kind
    else:
        chosen = sorted((p for p in all_periods if p.kind == kind), key=lambda p: p.start)
    years_of = sorted({p.year for p in all_periods})
    if only is None and kind != periods.YEAR and years_of:
        if year not in years_of:
            year = min(max(today.year, years_of[0]), years_of[-1])
        chosen = [p for p in chosen if p.year == year]
    years = sorted((p for p in all_periods if p.kind == periods.YEAR), key=lambda p: p.start)
    results = _tree_order(list(Result.objects.visible_to(user).filter(project=project)))
    shown = {r.pk for r in results}
    order = {r.pk: n for n, r in enumerate(results)}
    indicator_list = sorted(
        (
            i
            for i in Indicator.objects.visible_to(user)
            .filter(project=project)
            .select_related("project")
            if i.result_id in shown
        ),
        key=lambda i: (order[i.result_id], i.code),
    )
    by_pk = {r.pk: r for r in results}
    for indicator in indicator_list:
        indicator.project = project
        indicator.result = by_pk[indicator.result_id]

    def begun(indicator, period):
        computed = indicator.method == Indicator.Method.COMPUTED
        return not computed or period.is_locked or period.start <= today

    wanted = {p.pk: p for p in chosen} | {p.pk: p for p in years}
    pairs = [(i, p) for i in indicator_list for p in wanted.values() if begun(i, p)]
    # Year figures only serve the LOP of indicators entered by hand: compute no other.
    pairs = [
        (i, p)
        for i, p in pairs
        if p.kind == kind or i.method != Indicator.Method.COMPUTED or kind == periods.YEAR
    ]
    progress = progress or _no_progress
    figures = indicators.figures_many(pairs, disaggregated=False)
    computed = [i for i in indicator_list if i.method == Indicator.Method.COMPUTED]
    # A cumulative indicator already counts from the start: its latest begun period shown is
    # its life of project so far (no data is dated after today). Others are computed once.
    latest = max((p for p in chosen if p.start <= today), key=lambda p: p.end, default=None)
    lop_figures = {}
    to_compute = []
    for i in computed:
        if i.cumulative and latest is not None and (i.pk, latest.pk) in figures:
            lop_figures[i.pk] = figures[(i.pk, latest.pk)]
        elif project.start_date <= today:
            to_compute.append(i)
    steps = 1 + len(to_compute)
    progress(1, steps)
    for done, i in enumerate(to_compute, start=2):
        lop_figures[i.pk] = indicators.life_of_project(i)
        progress(done, steps)
    targets = {
        (t.indicator_id, t.period_id): t.value
        for t in Target.objects.visible_to(user).filter(
            indicator__project=project, period_id__in=list(wanted)
        )
    }

    rows = []
    for indicator in indicator_list:
        cells = [
            _cell(p, targets.get((indicator.pk, p.pk)), figures.get((indicator.pk, p.pk)))
            for p in chosen
        ]
        year_targets = [
            targets[(indicator.pk, y.pk)] for y in years if (indicator.pk, y.pk) in targets
        ]
        if not year_targets:
            lop_target = None
        elif indicator.cumulative:
            lop_target = year_targets[-1]
        else:
            lop_target = sum(year_targets, Decimal(0))
        if indicator.method == Indicator.Method.COMPUTED:
            lop_fig = lop_figures.get(indicator.pk)
        else:
            totals = [
                figures[(indicator.pk, y.pk)].total
                for y in years
                if (indicator.pk, y.pk) in figures
                and figures[(indicator.pk, y.pk)].total is not None
            ]
            lop_fig = None
            if totals:
                total = totals[-1] if indicator.cumulative else sum(totals, Decimal(0))
                lop_fig = indicators.Figures({"": total}, False, None)
        rows.append(Row(indicator, indicator.result, cells, _cell(None, lop_target, lop_fig)))
    return Table(project, kind, kinds, chosen, results, rows, _("Life of project"), year, years_of)


def baseline_text(indicator: Indicator) -> str:
    if indicator.baseline is None:
        return ""
    value = f"{indicator.baseline.normalize():f}"
    if indicator.baseline_date:
        return f"{value} ({indicator.baseline_date:%d/%m/%Y})"
    return value


def flat_rows(t: Table) -> tuple[list[str], list[list]]:
    """The table as a header and rows of plain values (XLSX and the donor reports)."""
    header = [_("Result"), _("Indicator code"), _("Indicator"), _("Baseline")]
    for period in t.periods:
        header += [
            _("%(period)s target") % {"period": period.label},
            _("%(period)s actual") % {"period": period.label},
            _("%(period)s %% achieved") % {"period": period.label},
        ]
    header += [
        _("%(period)s target") % {"period": t.lop_label},
        _("%(period)s actual") % {"period": t.lop_label},
        _("%(period)s %% achieved") % {"period": t.lop_label},
    ]
    out = []
    for row in t.rows:
        line = [
            f"{row.result.code} {row.result.title}",
            row.indicator.code,
            row.indicator.name,
            row.indicator.baseline,
        ]
        for cell in [*row.cells, row.lop]:
            percent = round(cell.percent, 1) if cell.percent is not None else None
            line += [cell.target, cell.actual, percent]
        out.append(line)
    return header, out
