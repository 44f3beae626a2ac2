"""IATI 2.03 activity XML of a project, or of every project of an organisation.

Built with lxml in the element order of the 2.03 schema (iati-activities-schema.xsd). Results
come from the logframe: each result with indicators is an IATI result, its indicators carry
their baseline and, per reporting period, the target and the actual of ``indicators.figures``
(the numbers of the indicator page and of the API) with sex and age dimensions. Actuals are
published for validated periods only: what has not been validated is not reported.

``problems`` lists what must be filled in before a project can be published (the
organisation's IATI identifier, a DAC sector code, the recipient country), in words the M&E
officer can act on.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from suivi.accounts.models import Organisation, OrganisationKind
from suivi.lib import periods
from suivi.lib.export import decimal_text
from suivi.projects.models import (
    Indicator,
    IndicatorValue,
    Project,
    ReportingPeriod,
    Result,
    Target,
)
from suivi.registry.models import Sex
from suivi.reports import exports, indicators

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# OrganisationType codelist.
ORGANISATION_TYPES = {
    OrganisationKind.UN_AGENCY: "40",
    OrganisationKind.INTERNATIONAL_NGO: "21",
    OrganisationKind.NATIONAL_NGO: "22",
    OrganisationKind.COMMUNITY_BASED: "24",
    OrganisationKind.REFUGEE_LED: "24",
    OrganisationKind.GOVERNMENT: "10",
    OrganisationKind.CONTRACTOR: "70",
    OrganisationKind.DONOR: "90",
}
# ActivityStatus codelist.
ACTIVITY_STATUS = {
    Project.Status.PIPELINE: "1",
    Project.Status.ACTIVE: "2",
    Project.Status.CLOSED: "4",
}
# ResultType codelist.
RESULT_TYPES = {
    Result.Level.OUTPUT: "1",
    Result.Level.OUTCOME: "2",
    Result.Level.IMPACT: "3",
    Result.Level.ACTIVITY: "9",
}
# IndicatorMeasure codelist.
MEASURES = {
    Indicator.Unit.NUMBER: "1",
    Indicator.Unit.PERCENTAGE: "2",
    Indicator.Unit.YES_NO: "3",
}
SEX_DIMENSION = {Sex.FEMALE: "female", Sex.MALE: "male"}
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = "1", "2", "4"


def activity_identifier(project: Project) -> str:
    """The project's IATI identifier: its own, else the organisation's and the project code."""
    if project.iati_identifier:
        return project.iati_identifier
    return f"{project.organisation.iati_identifier}-{project.code}"


def recipient_country(project: Project) -> str:
    return (project.recipient_country or project.organisation.country or "").upper()


def problems(project: Project) -> list[str]:
    """What must be filled in before the project can be published to IATI (empty: ready)."""
    found = []
    organisation = project.organisation
    if not organisation.iati_identifier:
        found.append(
            _(
                "The organisation %(name)s has no IATI organisation identifier: an "
                "administrator fills it in the organisation's record (for example "
                "XM-DAC-41114 for UNDP, or the country prefix and registration number, "
                "ML-RCS-…)."
            )
            % {"name": organisation.name}
        )
    if not any(s.dac_code for s in project.sectors.all()):
        found.append(
            _(
                "The project %(code)s has no sector with an OECD DAC 5 code: choose its "
                "sectors on the project page, each with its DAC code (11320 for primary "
                "education...)."
            )
            % {"code": project.code}
        )
    if len(recipient_country(project)) != 2:
        found.append(
            _(
                "The project %(code)s has no recipient country: fill in its two-letter "
                "country code (ML, MR) on the project page."
            )
            % {"code": project.code}
        )
    return found


def _narrative(parent, tag: str, text_fr: str, text_en: str = "", **attrs):
    element = etree.SubElement(parent, tag, **attrs)
    etree.SubElement(element, "narrative").text = text_fr or text_en
    if text_en and text_en != text_fr:
        etree.SubElement(element, "narrative", {XML_LANG: "en"}).text = text_en
    return element


def _org(parent, tag: str, organisation: Organisation, **attrs):
    if organisation.iati_identifier:
        attrs["ref"] = organisation.iati_identifier
    attrs["type"] = ORGANISATION_TYPES.get(organisation.kind, "90")
    element = etree.SubElement(parent, tag, **attrs)
    etree.SubElement(element, "narrative").text = organisation.name
    return element


def _percentages(count: int) -> list[str]:
    """``count`` percentages with two decimals that add up to exactly 100."""
    share = (Decimal(100) / count).quantize(Decimal("0.01"))
    values = [share] * (count - 1)
    values.append(Decimal(100) - sum(values))
    return [decimal_text(v) for v in values]


def _dimensions(element, cell: str) -> None:
    for dim, value in indicators.parse_cell(cell).items():
        if dim == "sex":
            etree.SubElement(element, "dimension", name="sex", value=SEX_DIMENSION[value])
        elif dim == "age_band":
            etree.SubElement(element, "dimension", name="age", value=value)


def _figure_cells(cells: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """The total, then sex, age and sex-by-age cells, in a stable order (known values only:
    a person of unknown age has no IATI age dimension)."""
    sadd = exports.sex_age_cells(cells)
    out = [("", cells[""])] if "" in cells else []
    out.extend((key, sadd[key]) for key, _h, _a in exports.sadd_keys() if key in sadd)
    return out


def _reported_periods(project: Project) -> list[ReportingPeriod]:
    """Quarters of the project, else its years (IATI periods are at most one year)."""
    all_periods = list(project.periods.order_by("start"))
    quarters = [p for p in all_periods if p.kind == periods.QUARTER]
    return quarters or [p for p in all_periods if p.kind == periods.YEAR]


def _results(activity, project: Project) -> None:
    listed = list(
        project.indicators.select_related("project", "result").order_by("result__code", "code")
    )
    if not listed:
        return
    reported = _reported_periods(project)
    figures = indicators.figures_many([(i, p) for i in listed for p in reported])
    targets = {
        (t.indicator_id, t.period_id): t.value
        for t in Target.objects.filter(indicator__in=listed, period__in=reported)
    }
    results: dict[int, list[Indicator]] = {}
    for indicator in listed:
        results.setdefault(indicator.result_id, []).append(indicator)
    for items in results.values():
        result = items[0].result
        node = etree.SubElement(
            activity, "result", type=RESULT_TYPES[result.level], **{"aggregation-status": "0"}
        )
        _narrative(node, "title", f"{result.code} {result.title_fr}", _en(result, "title"))
        for indicator in items:
            _indicator(node, indicator, reported, figures, targets)


def _en(row, field: str) -> str:
    english = getattr(row, f"{field}_en")
    return f"{row.code} {english}" if english else ""


def _indicator(node, indicator: Indicator, reported, figures, targets) -> None:
    element = etree.SubElement(node, "indicator", measure=MEASURES[indicator.unit], ascending="1")
    _narrative(element, "title", f"{indicator.code} {indicator.name_fr}", _en(indicator, "name"))
    if indicator.baseline is not None:
        day = indicator.baseline_date or indicator.project.start_date
        etree.SubElement(
            element,
            "baseline",
            year=str(day.year),
            value=decimal_text(indicator.baseline),
            **{"iso-date": day.isoformat()},
        )
    for period in reported:
        target = targets.get((indicator.pk, period.pk))
        fig = figures[(indicator.pk, period.pk)]
        validated = fig.status == IndicatorValue.Status.VALIDATED and "" in fig.cells
        if target is None and not validated:
            continue
        node_period = etree.SubElement(element, "period")
        etree.SubElement(node_period, "period-start", **{"iso-date": period.start.isoformat()})
        etree.SubElement(node_period, "period-end", **{"iso-date": period.end.isoformat()})
        if target is not None:
            etree.SubElement(node_period, "target", value=decimal_text(target))
        if validated:
            for cell, value in _figure_cells(fig.cells):
                actual = etree.SubElement(node_period, "actual", value=decimal_text(value))
                _dimensions(actual, cell)


def _activity(parent, project: Project, now: datetime.datetime) -> None:
    organisation = project.organisation
    attrs = {
        XML_LANG: "fr",
        "default-currency": project.currency,
        "last-updated-datetime": now.isoformat(timespec="seconds"),
        "humanitarian": "1" if project.humanitarian else "0",
        "hierarchy": "1",
    }
    activity = etree.SubElement(parent, "iati-activity", attrs)
    etree.SubElement(activity, "iati-identifier").text = activity_identifier(project)
    _org(activity, "reporting-org", organisation)
    _narrative(activity, "title", project.title_fr, project.title_en)
    # The schema requires a description: the summary, else the title.
    _narrative(activity, "description", project.summary or project.title_fr, type="1")
    for donor in project.donors.order_by("name"):
        _org(activity, "participating-org", donor, role=ROLE_FUNDING)
    _org(activity, "participating-org", organisation, role=ROLE_ACCOUNTABLE)
    for partner in project.partners.order_by("name"):
        _org(activity, "participating-org", partner, role=ROLE_IMPLEMENTING)
    etree.SubElement(activity, "activity-status", code=ACTIVITY_STATUS[project.status])
    today = timezone.localdate()
    dates = [("1", project.start_date), ("3", project.end_date)]
    if project.status != Project.Status.PIPELINE and project.start_date <= today:
        dates.append(("2", project.start_date))
    if project.status == Project.Status.CLOSED and project.end_date <= today:
        dates.append(("4", project.end_date))
    for kind, day in sorted(dates):
        etree.SubElement(activity, "activity-date", type=kind, **{"iso-date": day.isoformat()})
    country = recipient_country(project)
    if country:
        etree.SubElement(activity, "recipient-country", code=country)
    coded = [s for s in project.sectors.all() if s.dac_code]
    for sector, percentage in zip(coded, _percentages(len(coded)) if coded else [], strict=True):
        element = etree.SubElement(
            activity, "sector", vocabulary="1", code=sector.dac_code, percentage=percentage
        )
        etree.SubElement(element, "narrative").text = sector.name_fr
    for budget in project.budgets.order_by("year"):
        start, end = budget.bounds()
        element = etree.SubElement(activity, "budget", type="1", status="2")
        etree.SubElement(element, "period-start", **{"iso-date": start.isoformat()})
        etree.SubElement(element, "period-end", **{"iso-date": end.isoformat()})
        value = etree.SubElement(element, "value", **{"value-date": start.isoformat()})
        value.text = decimal_text(budget.value)
    for transaction in project.transactions.select_related("provider", "receiver"):
        element = etree.SubElement(activity, "transaction")
        etree.SubElement(element, "transaction-type", code=transaction.kind)
        etree.SubElement(element, "transaction-date", **{"iso-date": transaction.date.isoformat()})
        value = etree.SubElement(element, "value", **{"value-date": transaction.date.isoformat()})
        value.text = decimal_text(transaction.value)
        if transaction.description:
            _narrative(element, "description", transaction.description)
        if transaction.provider_id:
            _org(element, "provider-org", transaction.provider)
        if transaction.receiver_id:
            _org(element, "receiver-org", transaction.receiver)
    _results(activity, project)


def activities_xml(projects: list[Project]) -> bytes:
    """The IATI activities file of ``projects`` (each ready: see ``problems``)."""
    now = timezone.now().replace(microsecond=0)
    root = etree.Element(
        "iati-activities",
        version=VERSION,
        **{"generated-datetime": now.isoformat(timespec="seconds")},
    )
    for project in projects:
        _activity(root, project, now)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
