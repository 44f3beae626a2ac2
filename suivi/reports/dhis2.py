"""DHIS2 dataValueSets JSON of a project's indicators for a reporting period.

The mapping is kept in Suivi (``suivi.reports.models``): each indicator to a data element, its
disaggregated cells to category option combos, administrative areas to organisation units.
Only validated values are sent; a period with mapped indicators not yet validated gets a clear
refusal naming them, so that DHIS2 never receives figures the M&E officer has not signed off.

The payload has the shape of DHIS2's own samples (``{"dataValues": [{"dataElement", "period",
"orgUnit", "categoryOptionCombo", "value"}]}``, values as text). An indicator disaggregated by
area sends one value per admin 1 area to that area's organisation unit; any other goes to the
organisation unit of the project's place (the area all its areas lie in, else its country).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from suivi.lib import ages
from suivi.lib.export import decimal_text
from suivi.places.models import Area
from suivi.projects.models import Indicator, IndicatorValue, Project, ReportingPeriod
from suivi.registry.models import PopulationGroup, Sex
from suivi.reports import iati, indicators
from suivi.reports.models import Dhis2CategoryOptionCombo, Dhis2DataElement, Dhis2OrgUnit


def dhis2_period(period: ReportingPeriod) -> str:
    """DHIS2 period identifiers: 2026Q1, 202603, 2026."""
    if period.kind == ReportingPeriod.Kind.QUARTER:
        return f"{period.year}Q{period.number}"
    if period.kind == ReportingPeriod.Kind.MONTH:
        return f"{period.year}{period.number:02d}"
    return str(period.year)


def dimension_values(dim: str) -> list[str]:
    return {
        "sex": list(Sex.values),
        "age_band": list(ages.AGE_BAND_CODES),
        "population_group": list(PopulationGroup.values),
        "disability": ["yes", "no"],
    }.get(dim, [])


def mappable_cells(indicator: Indicator) -> list[str]:
    """The cells of an indicator that can have a category option combo: each value of a single
    disaggregation, or the full cross of several (areas are organisation units, not combos)."""
    dims = [d for d in indicators.dimensions(indicator) if d != "area"]
    if not dims:
        return []
    combos = itertools.product(*[dimension_values(d) for d in dims])
    return ["|".join(f"{d}={v}" for d, v in zip(dims, combo, strict=True)) for combo in combos]


def project_area(project: Project) -> Area | None:
    """The smallest area holding every area of the project (its country when they spread)."""
    areas = list(project.areas.select_related("parent__parent__parent"))
    if not areas:
        country = iati.recipient_country(project)
        return Area.objects.filter(level=Area.Level.COUNTRY, country=country).first()
    chains = [[*a.ancestors(), a] for a in areas]
    common = None
    for candidates in zip(*chains, strict=False):
        if any(c.pk != candidates[0].pk for c in candidates):
            break
        common = candidates[0]
    return common


@dataclass
class Payload:
    data_values: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"dataValues": self.data_values}


def _org_units(project: Project) -> dict[int, str]:
    return dict(
        Dhis2OrgUnit.objects.filter(organisation_id=project.organisation_id).values_list(
            "area_id", "org_unit"
        )
    )


def _nearest_org_unit(area: Area | None, org_units: dict[int, str]) -> str | None:
    while area is not None:
        if area.pk in org_units:
            return org_units[area.pk]
        area = area.parent
    return None


def data_value_set(*, project: Project, period: ReportingPeriod, listed: list[Indicator]):
    """The data values of the mapped indicators among ``listed`` for the period, or the
    problems that stop the export (nothing mapped, values not validated, no organisation
    unit)."""
    payload = Payload()
    mapped = {
        m.indicator_id: m.data_element
        for m in Dhis2DataElement.objects.filter(indicator__in=listed)
    }
    chosen = [i for i in listed if i.pk in mapped]
    if not chosen:
        payload.problems.append(
            _(
                "No indicator of %(code)s is mapped to a DHIS2 data element: an M&E officer "
                "fills in the DHIS2 mapping of the project first."
            )
            % {"code": project.code}
        )
        return payload
    combos: dict[int, dict[str, str]] = {}
    for combo in Dhis2CategoryOptionCombo.objects.filter(indicator__in=chosen):
        combos.setdefault(combo.indicator_id, {})[combo.cell] = combo.category_option_combo
    org_units = _org_units(project)
    pcodes = dict(Area.objects.filter(pk__in=org_units).values_list("pcode", "pk"))
    home = _nearest_org_unit(project_area(project), org_units)
    found = indicators.figures_many([(i, period) for i in chosen])
    for indicator in chosen:
        fig = found[(indicator.pk, period.pk)]
        if fig.status != IndicatorValue.Status.VALIDATED:
            status = IndicatorValue.Status(fig.status).label if fig.status else _("not stored")
            payload.problems.append(
                _(
                    "Indicator %(code)s: its values for %(period)s are %(status)s, not "
                    "validated. Validate them on the indicator page, then export again."
                )
                % {"code": indicator.code, "period": period.label, "status": status}
            )
            continue
        by_area = "area" in indicators.dimensions(indicator)
        mapped_cells = combos.get(indicator.pk, {})
        for cell, value in sorted(fig.cells.items()):
            parsed = indicators.parse_cell(cell)
            pcode = parsed.pop("area", None)
            rest = "|".join(f"{d}={v}" for d, v in parsed.items())
            if by_area:
                if pcode is None or pcode == ages.UNKNOWN:
                    continue
                org_unit = org_units.get(pcodes.get(pcode))
                if org_unit is None:
                    payload.problems.append(
                        _("Area %(pcode)s has no DHIS2 organisation unit: map it first.")
                        % {"pcode": pcode}
                    )
                    continue
            else:
                org_unit = home
            if mapped_cells:
                if rest not in mapped_cells:
                    continue
            elif rest:
                continue
            if org_unit is None:
                payload.problems.append(
                    _(
                        "The project %(code)s has no DHIS2 organisation unit: map its area "
                        "(or its country) first."
                    )
                    % {"code": project.code}
                )
                return payload
            row = {
                "dataElement": mapped[indicator.pk],
                "period": dhis2_period(period),
                "orgUnit": org_unit,
            }
            if mapped_cells:
                row["categoryOptionCombo"] = mapped_cells[rest]
            row["value"] = decimal_text(value)
            payload.data_values.append(row)
    payload.problems = list(dict.fromkeys(payload.problems))
    return payload
