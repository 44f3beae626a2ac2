"""Workflows of reports: computing and validating indicator values, narratives, donor reports."""

from __future__ import annotations

import datetime
import logging
import time
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from suivi.accounts.models import User
from suivi.audit import services as audit
from suivi.delivery.models import Attendance, Distribution
from suivi.lib import periods, work
from suivi.places.models import Area
from suivi.projects import services as projects_services
from suivi.projects.models import Indicator, IndicatorValue, Project, ReportingPeriod
from suivi.reports import donor, indicators
from suivi.reports.models import (
    Dhis2CategoryOptionCombo,
    Dhis2DataElement,
    Dhis2OrgUnit,
    DonorReport,
    ReportNarrative,
    ReportPhoto,
)

logger = logging.getLogger(__name__)


def _fresh_lock(period: ReportingPeriod) -> ReportingPeriod:
    """The period as it is now, its row held until the transaction ends.

    A lock taken by someone else in the meantime is seen, and cannot slip in between the
    check and the write.
    """
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


@transaction.atomic
def indicator_compute(
    *, indicator: Indicator, period: ReportingPeriod, by: User | None
) -> dict[str, Decimal]:
    """Compute a computed indicator for a period and store its values (refused when locked).

    Changed cells go back to draft; unchanged ones keep their status.
    """
    period = _fresh_lock(period)
    values = indicators.compute(indicator, period)
    projects_services.indicator_values_store(
        indicator=indicator, period=period, values=values, by=by
    )
    return values


@transaction.atomic
def values_transition(
    *, indicator: Indicator, period: ReportingPeriod, status: str, by: User
) -> int:
    """Submit, validate or send back to draft an indicator's values of a period.

    A computed indicator's values are computed and stored first, so that what is validated is
    what the data says now. Returns how many stored cells changed status.
    """
    period = _fresh_lock(period)
    if indicator.method == Indicator.Method.COMPUTED:
        indicator_compute(indicator=indicator, period=period, by=by)
    return projects_services.indicator_values_transition(
        indicator=indicator, period=period, status=status, by=by
    )


def project_compute(*, project: Project, period_kinds=("quarter", "year"), by: User | None) -> int:
    """Recompute every computed indicator of a project for its unlocked periods."""
    count = 0
    computed = project.indicators.filter(method=Indicator.Method.COMPUTED).select_related("project")
    periods = list(project.periods.filter(kind__in=period_kinds, locked_at__isnull=True))
    for indicator in computed:
        for period in periods:
            indicator_compute(indicator=indicator, period=period, by=by)
            count += 1
    return count


@transaction.atomic
def figures_warm(*, projects=None) -> int:
    """Compute ahead, and keep, what the logframe report, the dashboards and the donor reports
    read of the computed indicators of ``projects`` (default: the active ones): their begun open
    periods and their life of project. Figures kept for the current state of the data are not
    computed again. Returns the number of figures ready."""
    if projects is None:
        projects = Project.objects.filter(status=Project.Status.ACTIVE)
    # All projects in one call: indicators of the same definition are computed together.
    return indicators.warm(
        Indicator.objects.filter(project__in=projects).select_related("project"),
        ReportingPeriod.objects.filter(project__in=projects).select_related("project"),
        today=timezone.localdate(),
    )


def dhis2_mapping_save(
    *,
    project: Project,
    by: User,
    data_elements: dict[Indicator, str],
    combos: dict[tuple[Indicator, str], str],
    org_units: dict[Area, str],
) -> int:
    """Store a project's DHIS2 mapping; an empty identifier removes that mapping.

    Returns how many mappings changed; each change is in the audit trail of its indicator
    (or of the project, for organisation units).
    """
    changed = 0
    for indicator, uid in data_elements.items():
        changed += _mapping_put(
            Dhis2DataElement,
            {"indicator": indicator},
            "data_element",
            uid,
            by=by,
            action="indicator.dhis2_map",
            target=indicator,
            label="data_element",
        )
    for (indicator, cell), uid in combos.items():
        changed += _mapping_put(
            Dhis2CategoryOptionCombo,
            {"indicator": indicator, "cell": cell},
            "category_option_combo",
            uid,
            by=by,
            action="indicator.dhis2_map",
            target=indicator,
            label=f"category_option_combo:{cell}",
        )
    for area, uid in org_units.items():
        changed += _mapping_put(
            Dhis2OrgUnit,
            {"organisation": project.organisation, "area": area},
            "org_unit",
            uid,
            by=by,
            action="project.dhis2_map",
            target=project,
            label=f"org_unit:{area.pcode}",
        )
    return changed


def _mapping_put(model, lookup: dict, field: str, uid: str, *, by, action, target, label) -> int:
    """Set (or, with an empty ``uid``, remove) one DHIS2 identifier; 1 if it changed."""
    current = model.objects.filter(**lookup).first()
    before = getattr(current, field) if current else ""
    if uid == before:
        return 0
    if not uid:
        current.delete()
    else:
        model.objects.update_or_create(**lookup, defaults={field: uid})
    audit.record(actor=by, action=action, target=target, changes={label: [before, uid]})
    return 1


@transaction.atomic
def period_validate(*, period: ReportingPeriod, by: User) -> int:
    """Validate the values of every indicator of the period's project for that period.

    Computed indicators are computed and stored first (what is validated is what the data says
    now). Refused when the period is locked. Returns how many indicators had values validated.
    """
    period = _fresh_lock(period)
    count = 0
    for indicator in period.project.indicators.select_related("project").order_by("code"):
        changed = values_transition(
            indicator=indicator,
            period=period,
            status=IndicatorValue.Status.VALIDATED,
            by=by,
        )
        count += 1 if changed else 0
    audit.record(actor=by, action="period.validate", target=period, changes={"indicators": count})
    return count


# --- Narratives -------------------------------------------------------------------------------


@transaction.atomic
def narratives_save(
    *, project: Project, period: ReportingPeriod, texts: dict[str, str], by: User
) -> list[ReportNarrative]:
    """Write the narrative sections of a period (``texts``: section -> text).

    A section left empty keeps its row (and its photos) with an empty text. Only the sections
    whose text changed are written and audited.
    """
    if period.project_id != project.pk:
        raise ValueError("The period belongs to another project.")
    existing = {n.section: n for n in ReportNarrative.objects.filter(period=period)}
    changed = []
    for section, text in texts.items():
        section = ReportNarrative.Section(section)
        text = text.strip()
        narrative = existing.get(section)
        if narrative is None:
            if not text:
                continue
            narrative = ReportNarrative(
                organisation_id=project.organisation_id,
                project=project,
                period=period,
                section=section,
                text=text,
                created_by=by,
            )
            audit.save_new(narrative, by=by, action="report_narrative.create")
        elif narrative.text != text:
            narrative.text = text
            narrative.save(update_fields=["text", "updated_at"])
            audit.record(
                actor=by,
                action="report_narrative.update",
                target=narrative,
                changes={"section": section.value, "characters": len(text)},
            )
        else:
            continue
        changed.append(narrative)
    return changed


@transaction.atomic
def photo_add(
    *, project: Project, period: ReportingPeriod, section: str, image, caption: str, by: User
) -> ReportPhoto:
    """Attach a photo to a narrative section of a period (the section is created if needed)."""
    narrative, _created = ReportNarrative.objects.get_or_create(
        period=period,
        section=ReportNarrative.Section(section),
        defaults={
            "organisation_id": project.organisation_id,
            "project": project,
            "created_by": by,
        },
    )
    photo = ReportPhoto(
        organisation_id=project.organisation_id,
        narrative=narrative,
        image=image,
        caption=caption.strip(),
        created_by=by,
    )
    return audit.save_new(photo, by=by, action="report_photo.create")


@transaction.atomic
def photo_remove(*, photo: ReportPhoto, by: User) -> None:
    """Remove a photo and its file."""
    audit.record(actor=by, action="report_photo.remove", target=photo)
    name = photo.image.name
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Donor reports ----------------------------------------------------------------------------


# A donor report is generated within the request when its estimated work stays under
# INLINE_WORK, else by the worker (``manage.py work``), the page following its progress. The
# estimate is the number of delivery records the indicator engine reads: computations (each
# computed indicator once for the report's period while it is open, once for the life of the
# project) times the project's attendance and distribution records. A demo project's quarter is
# under 10,000; an estimate of 2,000,000 took 0.6 to 1.1 s on PostgreSQL (bench/reports_scale.py
# with 20 indicators over 60,000 records); the quarter of its default run (40 indicators over
# 600,000 records) is about 30 million, 20 to 30 seconds.
INLINE_WORK = 2_000_000
Status = DonorReport.Status


class TemplateUnreadable(Exception):
    """The Word template of a language is not a document python-docx can open."""


def donor_report_estimate(*, project: Project, period: ReportingPeriod | None) -> int:
    """The estimated work of a report of ``project`` for ``period`` (see INLINE_WORK)."""
    computed = project.indicators.filter(method=Indicator.Method.COMPUTED).count()
    if not computed:
        return 0
    open_periods = 0 if period is not None and period.pk and period.is_locked else 1
    records = (
        Attendance.objects.filter(session__project=project).count()
        + Distribution.objects.filter(project=project).count()
    )
    return computed * (open_periods + 1) * records


def donor_report_request(
    *,
    project: Project,
    kind: str,
    language: str,
    format: str,
    by: User,
    quarter: ReportingPeriod | None = None,
    month: tuple[int, int] | None = None,
    week_start: datetime.date | None = None,
) -> DonorReport:
    """Ask for a donor report: it is stored among the project's donor reports at once, and
    generated within the request when the project is small (``INLINE_WORK``), else left
    ``waiting`` for the worker.

    Quarterly: the quarter's figures (as ``indicators.figures`` gives them) and narrative.
    Monthly: the month's reporting period, created with the project's other months when
    missing, so that its narrative can be written. Weekly: the seven days from ``week_start``,
    figures computed from the data (indicators entered by hand have none), no narrative.
    The content is what ``by`` may see.
    """
    report = _donor_report_create(
        project=project,
        kind=kind,
        language=language,
        format=format,
        by=by,
        quarter=quarter,
        month=month,
        week_start=week_start,
    )
    if report.status == Status.GENERATING:
        donor_report_run(report=report, language=translation.get_language())
    return report


@transaction.atomic
def _donor_report_create(
    *, project, kind, language, format, by, quarter, month, week_start
) -> DonorReport:
    period = quarter
    if kind == DonorReport.Kind.MONTHLY:
        year, number = month
        period = ReportingPeriod.objects.filter(
            project=project, kind=periods.MONTH, year=year, number=number
        ).first()
        if period is None:
            projects_services.periods_generate(project=project, kind=periods.MONTH, by=by)
            period = ReportingPeriod.objects.filter(
                project=project, kind=periods.MONTH, year=year, number=number
            ).first()
    start, end = donor.dates_of(kind, quarter=quarter, month=month, week_start=week_start)
    report = DonorReport(
        organisation_id=project.organisation_id,
        project=project,
        period=period,
        kind=kind,
        start=start,
        end=end,
        language=language,
        format=format,
        created_by=by,
    )
    if donor_report_estimate(project=project, period=period) < INLINE_WORK:
        # Held by this request from the start: the worker leaves it alone.
        report.status = Status.GENERATING
        report.heartbeat_at = timezone.now()
    return audit.save_new(report, by=by, action="donor_report.generate")


def donor_report_run(*, report: DonorReport, language: str | None = None) -> None:
    """Generate a report's content and file; a failure is kept on the report with a message.

    The progress (step, done, total) and the heartbeat are written as the content is built.
    Messages are written in ``language``: the page's language when it runs within the request,
    else the preferred language of the user who asked for the report.
    """
    user = report.created_by
    language = language or getattr(user, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            _donor_report_build(report)
        except TemplateUnreadable as error:
            _donor_report_fail(
                report,
                _(
                    "The Word template %(name)s cannot be opened. An administrator should save "
                    "it again from Word or LibreOffice as a .docx document, or remove it to use "
                    "the template shipped with Suivi; then ask for the report again."
                )
                % {"name": str(error)},
            )
        except Exception:
            logger.exception("Donor report %s failed", report.pk)
            _donor_report_fail(
                report,
                _(
                    "The report could not be generated because of an unexpected error. Ask for "
                    "it again; if it fails again, tell an administrator (report number %(pk)s)."
                )
                % {"pk": report.pk},
            )


def _donor_report_build(report: DonorReport) -> None:
    started = time.perf_counter()
    work.beat(report, status=Status.GENERATING, message="")

    def progress(step: str, done: int, total: int) -> None:
        work.beat(report, step=step, progress_done=done, progress_total=total)

    with translation.override(report.language):
        content = donor.content(
            user=report.created_by,
            project=report.project,
            kind=report.kind,
            period=report.period,
            start=report.start,
            end=report.end,
            language=report.language,
            progress=progress,
        )
        try:
            data = donor.RENDERERS[report.format](content)
        except donor.TemplateError as error:
            raise TemplateUnreadable(error.path.name) from error
    name = f"{report.project.code}-{report.kind}-{report.start:%Y%m%d}-{report.language}"
    with transaction.atomic():
        report.file.save(f"{name}.{report.format}", ContentFile(data), save=False)
        report.size = len(data)
        report.status = Status.READY
        report.step = ""
        report.progress_done = report.progress_total
        report.heartbeat_at = None
        report.seconds = round(time.perf_counter() - started, 3)
        report.save(
            update_fields=[
                "file",
                "size",
                "status",
                "step",
                "progress_done",
                "heartbeat_at",
                "seconds",
                "updated_at",
            ]
        )


def _donor_report_fail(report: DonorReport, message: str) -> None:
    report.status = Status.FAILED
    report.message = message
    report.step = ""
    report.heartbeat_at = None
    DonorReport.objects.filter(pk=report.pk).update(
        status=Status.FAILED, message=message, step="", heartbeat_at=None
    )


def work_once() -> DonorReport | None:
    """Claim one report waiting for the worker (or left by a worker that stopped) and
    generate it; returns it (None when nothing waits)."""
    waiting = DonorReport.objects.filter(status__in=[Status.WAITING, Status.GENERATING])
    with work.claimed(waiting) as report:
        if report is not None:
            donor_report_run(report=report)
    return report
