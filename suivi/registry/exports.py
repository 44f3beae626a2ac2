"""The registry as a table for ``suivi.lib.export``: one row per person, with HXL hashtags.

Persons are read as plain values in chunks of ``CHUNK`` (a server-side cursor on PostgreSQL),
with the external identifiers and visible registrations of each chunk in one query each, so a
million rows stream in constant memory and without building a model instance per row. HXL has
no core hashtag for a person's sex, age or disability (it describes aggregates): those columns
are left untagged rather than tagged with invented hashtags.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from suivi.lib import ages
from suivi.lib.export import Column, Table
from suivi.registry.models import ExternalId, Person, Registration

CHUNK = 2000
# The area of a person and the two above it: enough for admin 1 to 3 P-codes and names.
AREA_CHAIN = ["area", "area__parent", "area__parent__parent"]
VALUES = [
    "pk",
    "family_name",
    "given_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "population_group",
    "has_disability",
    "area__country",
    "site__name",
    "household__code",
    *[f"{a}__{f}" for a in AREA_CHAIN for f in ("level", "pcode", "name_fr", "name_en")],
]


def _admin(level: int, what: str):
    """The P-code or name of the person's area at ``level`` (itself or one above it)."""

    def get(row: dict) -> str:
        for prefix in AREA_CHAIN:
            if row[f"{prefix}__level"] == level:
                if what == "pcode":
                    return row[f"{prefix}__pcode"]
                english = row["english"] and row[f"{prefix}__name_en"]
                return english or row[f"{prefix}__name_fr"]
        return ""

    return get


def _external(scheme: str):
    def get(row: dict) -> str:
        return ", ".join(row["external_ids"].get(scheme, []))

    return get


def _age(on: datetime.date):
    return lambda row: ages.age_on(row["birth_date"], on)


def person_columns(on: datetime.date) -> list[Column]:
    schemes = [
        ExternalId.Scheme.PROGRES,
        ExternalId.Scheme.NATIONAL_ID,
        ExternalId.Scheme.PARTNER,
        ExternalId.Scheme.OTHER,
    ]
    return [
        Column(_("Reference"), "#meta+id", lambda r: Person.reference_of(r["pk"])),
        Column(_("Family name"), "#beneficiary+name", lambda r: r["family_name"]),
        Column(_("Given names"), "#beneficiary+name", lambda r: r["given_name"]),
        Column(_("Sex"), "", lambda r: r["sex"]),
        Column(_("Date of birth"), "", lambda r: r["birth_date"]),
        Column(_("Date of birth is estimated"), "", lambda r: r["birth_date_estimated"]),
        Column(_("Age"), "", _age(on)),
        Column(_("Age band"), "", lambda r: ages.band_for_age(ages.age_on(r["birth_date"], on))),
        Column(_("Population group"), "#beneficiary+type", lambda r: r["population_group"]),
        Column(_("Disability"), "", lambda r: r["has_disability"]),
        Column(_("Country"), "#country+code", lambda r: r["area__country"] or ""),
        Column(_("Admin 1 P-code"), "#adm1+code", _admin(1, "pcode")),
        Column(_("Admin 1"), "#adm1+name", _admin(1, "name")),
        Column(_("Admin 2 P-code"), "#adm2+code", _admin(2, "pcode")),
        Column(_("Admin 2"), "#adm2+name", _admin(2, "name")),
        Column(_("Admin 3 P-code"), "#adm3+code", _admin(3, "pcode")),
        Column(_("Admin 3"), "#adm3+name", _admin(3, "name")),
        Column(_("Site"), "#loc+name", lambda r: r["site__name"] or ""),
        Column(_("Household"), "", lambda r: r["household__code"] or ""),
        *[Column(s.label, "#beneficiary+code", _external(s)) for s in schemes],
        Column(_("Projects"), "#activity+project+code", lambda r: ", ".join(r["projects"])),
    ]


def _chunks(rows: Iterator[dict]) -> Iterator[list[dict]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def person_rows(*, user, persons: QuerySet) -> Iterator[dict]:
    """The persons as dictionaries of ``VALUES`` with their external identifiers and the codes
    of the projects the user sees them registered in."""
    english = translation.get_language() == "en"
    registrations = Registration.objects.visible_to(user)
    values = persons.order_by("pk").values(*VALUES).iterator(chunk_size=CHUNK)
    for chunk in _chunks(values):
        ids = [row["pk"] for row in chunk]
        external = defaultdict(lambda: defaultdict(list))
        for person_id, scheme, value in (
            ExternalId.objects.filter(person_id__in=ids)
            .order_by("person_id", "scheme", "value")
            .values_list("person_id", "scheme", "value")
        ):
            external[person_id][scheme].append(value)
        projects = defaultdict(list)
        for person_id, code in (
            registrations.filter(person_id__in=ids)
            .order_by("person_id", "project__code")
            .values_list("person_id", "project__code")
        ):
            projects[person_id].append(code)
        for row in chunk:
            row["english"] = english
            row["external_ids"] = external[row["pk"]]
            row["projects"] = projects[row["pk"]]
            yield row


def person_table(*, user, persons: QuerySet, on: datetime.date) -> Table:
    """The persons (already filtered through the gate) as an export table, ages on ``on``."""
    return Table(_("Persons"), person_columns(on), person_rows(user=user, persons=persons))
