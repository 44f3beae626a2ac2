"""The definition of a computed indicator is data. This module says what a valid one is.

A definition is a JSON object::

    {
      "source": "attendance",            # attendance | distribution | registration | reach
      "measure": "persons",              # persons | households | rows | quantity | value | people
      "session_kinds": ["training"],     # attendance and reach: only these session types
      "distribution_kinds": ["kit"],     # distribution: only these types
      "item_contains": "kit scolaire",   # distribution: the item's name contains this text
      "min_count": 2,                    # persons/households: at least this many rows each
      "person": {                        # only persons with these attributes
        "sex": "F", "population_groups": ["refugee"], "disability": true,
        "age_min": 15, "age_max": 24
      }
    }

The engine that computes it lives in ``suivi.reports.indicators``.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext as _

SOURCES = {
    "attendance": {"persons", "rows"},
    "distribution": {"persons", "households", "rows", "quantity", "value"},
    "registration": {"persons"},
    "reach": {"people"},
}
KEYS = {
    "source",
    "measure",
    "session_kinds",
    "distribution_kinds",
    "item_contains",
    "min_count",
    "person",
}
PERSON_KEYS = {"sex", "population_groups", "disability", "age_min", "age_max"}


def _choices(app_model: str, attr: str) -> set[str]:
    model = apps.get_model(app_model)
    return set(getattr(model, attr).values)


def validate(definition: dict) -> list[str]:
    """The reasons why ``definition`` cannot be computed, in the user's language (empty: fine)."""
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
    measure = definition.get("measure", "persons" if source != "reach" else "people")
    if measure not in SOURCES[source]:
        errors.append(
            _("With source %(source)s, the measure is one of: %(choices)s.")
            % {"source": source, "choices": ", ".join(sorted(SOURCES[source]))}
        )
    kinds = definition.get("session_kinds", [])
    if kinds:
        bad = set(kinds) - _choices("delivery.Session", "Kind")
        if bad or source not in ("attendance", "reach"):
            errors.append(_("Session types apply to attendance and reach, and must be known."))
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
