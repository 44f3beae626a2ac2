"""The definition of a computed indicator is data. This module says what a valid one is.

A definition is a JSON object::

    {
      "source": "attendance",            # attendance | distribution | registration | reach
                                         # | session
      "measure": "persons",              # persons | households | groups | rows | quantity | value
                                         # | people
      "session_kinds": ["training"],     # attendance and reach: only these session types
      "distribution_kinds": ["kit"],     # distribution: only these types
      "item_contains": "kit scolaire",   # distribution: the item's name contains this text
      "min_count": 2,                    # persons/households: at least this many rows each
      "person": {                        # only persons with these attributes
        "sex": "F", "population_groups": ["refugee"], "disability": true,
        "age_min": 15, "age_max": 24
      },
      "areas": ["ML07", "ML0601"],        # only rows in these areas or below them (P-codes)
      "partners": [12],                  # only rows of these partners (organisation ids)
      "planned_activities": [40]         # only sessions or distributions of these activities
    }

A ratio divides one indicator of the same project by another (or by a fixed number), cell by
cell, for example the share of women among trainees or a retention rate::

    {"source": "ratio", "numerator": "1.2.1", "denominator": "1.2.0", "scale": 100}

A denominator of zero in one cell leaves that cell without a value; a definition whose fixed
denominator is zero, or whose ratios refer to each other in a circle, is refused at save.

The engine that computes it lives in ``suivi.reports.indicators``.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext as _

SOURCES = {
    "attendance": {"persons", "rows"},
    "distribution": {"persons", "households", "groups", "rows", "quantity", "value"},
    "registration": {"persons"},
    "reach": {"people"},
    "ratio": {"ratio"},
    "session": {"rows"},
}
KEYS = {
    "source",
    "measure",
    "session_kinds",
    "distribution_kinds",
    "item_contains",
    "min_count",
    "person",
    "areas",
    "partners",
    "planned_activities",
    "numerator",
    "denominator",
    "scale",
}
DEFAULT_MEASURES = {"reach": "people", "ratio": "ratio", "session": "rows"}
RATIO_KEYS = {"source", "measure", "numerator", "denominator", "scale"}
PERSON_KEYS = {"sex", "population_groups", "disability", "age_min", "age_max"}


def _choices(app_model: str, attr: str) -> set[str]:
    model = apps.get_model(app_model)
    return set(getattr(model, attr).values)


def validate(definition: dict, *, project=None, code: str | None = None) -> list[str]:
    """The reasons why ``definition`` cannot be computed, in the user's language (empty: fine).

    With ``project`` (and the indicator's own ``code``), the references of a ratio to other
    indicators are checked too: they exist, and following them never comes back to ``code``.
    """
    if not isinstance(definition, dict):
        return [_("The definition must be an object with a source and a measure.")]
    errors = []
    unknown = set(definition) - KEYS
    if unknown:
        errors.append(_("Unknown setting: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    source = definition.get("source")
    if source not in SOURCES:
        errors.append(
            _("Choose what to count from: %(choices)s.") % {"choices": ", ".join(SOURCES)}
        )
        return errors
    if source == "ratio":
        return errors + _validate_ratio(definition, project, code)
    measure = definition.get("measure", DEFAULT_MEASURES.get(source, "persons"))
    if measure not in SOURCES[source]:
        errors.append(
            _("With source %(source)s, the measure is one of: %(choices)s.")
            % {"source": source, "choices": ", ".join(sorted(SOURCES[source]))}
        )
    kinds = definition.get("session_kinds", [])
    if kinds:
        bad = set(kinds) - _choices("delivery.Session", "Kind")
        if bad or source not in ("attendance", "reach", "session"):
            errors.append(
                _("Session types apply to sessions, attendance and reach, and must be known.")
            )
    kinds = definition.get("distribution_kinds", [])
    if kinds:
        bad = set(kinds) - _choices("delivery.Distribution", "Kind")
        if bad or source != "distribution":
            errors.append(_("Distribution types apply to distributions, and must be known."))
    if "item_contains" in definition and source != "distribution":
        errors.append(_("The item filter applies to distributions only."))
    min_count = definition.get("min_count", 1)
    if not isinstance(min_count, int) or min_count < 1:
        errors.append(_("The minimum number of times must be a whole number of at least 1."))
    errors.extend(_validate_scope(definition, source, project))
    person = definition.get("person", {})
    if not isinstance(person, dict) or set(person) - PERSON_KEYS:
        errors.append(
            _("Person filters are among: %(names)s.") % {"names": ", ".join(sorted(PERSON_KEYS))}
        )
    else:
        if person.get("sex") not in (None, "F", "M"):
            errors.append(_("The sex filter is F or M."))
        groups = set(person.get("population_groups", []))
        field = apps.get_model("registry.Person")._meta.get_field("population_group")
        known = {code for code, _label in field.choices}
        if groups - known:
            errors.append(_("Unknown population group in the person filter."))
        low, high = person.get("age_min"), person.get("age_max")
        if low is not None and high is not None and low > high:
            errors.append(_("The minimum age is above the maximum age."))
    return errors


def _ids(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) for v in value)


def _validate_scope(definition: dict, source: str, project) -> list[str]:
    """Areas, partners and planned activities: well formed, and known when the project is."""
    errors = []
    areas = definition.get("areas", [])
    if not isinstance(areas, list) or not all(isinstance(a, str) for a in areas):
        errors.append(_("The areas are a list of P-codes, for example ML07."))
    elif areas:
        known = set(
            apps.get_model("places.Area")
            .objects.filter(pcode__in=areas)
            .values_list("pcode", flat=True)
        )
        if set(areas) - known:
            errors.append(
                _("Unknown P-code in the area filter: %(codes)s.")
                % {"codes": ", ".join(sorted(set(areas) - known))}
            )
    for key, label in (
        ("partners", _("partners")),
        ("planned_activities", _("planned activities")),
    ):
        value = definition.get(key, [])
        if not _ids(value):
            errors.append(_("The %(what)s filter is a list of identifiers.") % {"what": label})
    if definition.get("planned_activities") and source == "registration":
        errors.append(_("Registrations have no planned activity: remove that filter."))
    if project is not None:
        partners = set(
            definition.get("partners", []) if _ids(definition.get("partners", [])) else []
        )
        if partners - set(project.partners.values_list("pk", flat=True)):
            errors.append(
                _("The partner filter names an organisation that is not a partner of the project.")
            )
        planned = definition.get("planned_activities", [])
        if _ids(planned) and set(planned) - set(
            project.planned_activities.values_list("pk", flat=True)
        ):
            errors.append(_("The planned activity filter names an activity of another project."))
    return errors


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _validate_ratio(definition: dict, project, code: str | None) -> list[str]:
    errors = []
    unknown = set(definition) - RATIO_KEYS
    if unknown:
        errors.append(
            _("A ratio has only a numerator, a denominator and a scale; remove: %(names)s.")
            % {"names": ", ".join(sorted(unknown))}
        )
    numerator, denominator = definition.get("numerator"), definition.get("denominator")
    if not isinstance(numerator, str) or not numerator:
        errors.append(_("A ratio needs a numerator: the code of another indicator of the project."))
    if denominator is None or denominator == "":
        errors.append(
            _("A ratio needs a denominator: the code of another indicator, or a fixed number.")
        )
    elif _is_number(denominator) and denominator == 0:
        errors.append(_("A ratio cannot divide by zero: give a denominator other than 0."))
    elif not isinstance(denominator, str) and not _is_number(denominator):
        errors.append(_("The denominator is the code of an indicator or a number."))
    scale = definition.get("scale", 1)
    if not _is_number(scale) or scale <= 0:
        errors.append(_("The scale is a positive number, for example 100 for a percentage."))
    if errors or project is None:
        return errors
    refs = project.indicators.exclude(code=code or "")
    definitions = dict(refs.values_list("code", "definition"))
    if code:
        definitions[code] = definition
    for ref in (numerator, denominator):
        if isinstance(ref, str) and ref not in definitions:
            errors.append(
                _("The ratio refers to indicator %(code)s, which this project does not have.")
                % {"code": ref}
            )
    if not errors and code and _reaches(code, definitions):
        errors.append(
            _(
                "The ratio refers back to itself through other ratios (%(code)s): "
                "choose indicators that count rows."
            )
            % {"code": code}
        )
    return errors


def ratio_refs(definition: dict) -> list[str]:
    """The codes of the indicators a ratio divides (none for other definitions)."""
    if not isinstance(definition, dict) or definition.get("source") != "ratio":
        return []
    return [
        r
        for r in (definition.get("numerator"), definition.get("denominator"))
        if isinstance(r, str)
    ]


def _reaches(code: str, definitions: dict[str, dict]) -> bool:
    """Whether following ratio references from ``code`` comes back to ``code``."""
    seen: set[str] = set()
    todo = list(ratio_refs(definitions.get(code, {})))
    while todo:
        ref = todo.pop()
        if ref == code:
            return True
        if ref in seen:
            continue
        seen.add(ref)
        todo.extend(ratio_refs(definitions.get(ref, {})))
    return False
