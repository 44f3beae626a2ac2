"""Workflows of reports: computing and validating indicator values, narratives, donor reports."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation

from suivi.accounts.models import User
from suivi.audit import services as audit
from suivi.lib import periods
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


@transaction.atomic
def donor_report_generate(
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
    """Generate a donor report and store its file among the project's donor reports.

    Quarterly: the quarter's figures (as ``indicators.figures`` gives them) and narrative.
    Monthly: the month's reporting period, created with the project's other months when
    missing, so that its narrative can be written. Weekly: the seven days from ``week_start``,
    figures computed from the data (indicators entered by hand have none), no narrative.
    The content is what ``by`` may see. Runs in the request: a quarterly report of a large
    project takes a few seconds (see bench/reports_scale.py).
    """
    started = time.perf_counter()
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
    with translation.override(language):
        content = donor.content(
            user=by,
            project=project,
            kind=kind,
            period=period,
            start=start,
            end=end,
            language=language,
        )
        data = donor.RENDERERS[format](content)
    report = DonorReport(
        organisation_id=project.organisation_id,
        project=project,
        period=period,
        kind=kind,
        start=start,
        end=end,
        language=language,
        format=format,
        size=len(data),
        created_by=by,
    )
    name = f"{project.code}-{kind}-{start:%Y%m%d}-{language}.{format}"
    report.file.save(name, ContentFile(data), save=False)
    report.seconds = round(time.perf_counter() - started, 3)
    return audit.save_new(report, by=by, action="donor_report.generate")
