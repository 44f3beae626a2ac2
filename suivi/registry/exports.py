"""The registry as a table for ``suivi.lib.export``: one row per person, with HXL hashtags.

Persons are read in chunks (``iterator(chunk_size=...)``) with their area chain, external
identifiers and visible registrations fetched per chunk, so a million rows stream in constant
memory. HXL has no core hashtag for a person's sex, age or disability (it describes aggregates):
those columns are left untagged rather than tagged with invented hashtags.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from suivi.lib import ages
from suivi.lib.export import Column, Table
from suivi.registry.models import ExternalId, Person, Registration

CHUNK = 2000


def _area(person: Person, level: int):
    return person.area.ancestor_at(level) if person.area_id else None


def _pcode(level: int):
    def get(person):
        area = _area(person, level)
        return area.pcode if area else ""

    return get


def _area_name(level: int):
    def get(person):
        area = _area(person, level)
        return area.name if area else ""

    return get


def _external(scheme: str):
    def get(person):
        return ", ".join(e.value for e in person.external_ids.all() if e.scheme == scheme)

    return get


def person_columns(on: datetime.date) -> list[Column]:
    return [
        Column(_("Reference"), "#meta+id", lambda p: p.reference),
        Column(_("Family name"), "#beneficiary+name", lambda p: p.family_name),
        Column(_("Given names"), "#beneficiary+name", lambda p: p.given_name),
        Column(_("Sex"), "", lambda p: p.sex),
        Column(_("Date of birth"), "", lambda p: p.birth_date),
        Column(_("Date of birth is estimated"), "", lambda p: p.birth_date_estimated),
        Column(_("Age"), "", lambda p: p.age_on(on)),
        Column(_("Age band"), "", lambda p: ages.band_for_age(p.age_on(on))),
        Column(_("Population group"), "#beneficiary+type", lambda p: p.population_group),
        Column(_("Disability"), "", lambda p: p.has_disability),
        Column(_("Country"), "#country+code", lambda p: p.area.country if p.area_id else ""),
        Column(_("Admin 1 P-code"), "#adm1+code", _pcode(1)),
        Column(_("Admin 1"), "#adm1+name", _area_name(1)),
        Column(_("Admin 2 P-code"), "#adm2+code", _pcode(2)),
        Column(_("Admin 2"), "#adm2+name", _area_name(2)),
        Column(_("Admin 3 P-code"), "#adm3+code", _pcode(3)),
        Column(_("Admin 3"), "#adm3+name", _area_name(3)),
        Column(_("Site"), "#loc+name", lambda p: p.site.name if p.site_id else ""),
        Column(_("Household"), "", lambda p: p.household.code if p.household_id else ""),
        Column(
            ExternalId.Scheme.PROGRES.label,
            "#beneficiary+code",
            _external(ExternalId.Scheme.PROGRES),
        ),
        Column(
            ExternalId.Scheme.NATIONAL_ID.label,
            "#beneficiary+code",
            _external(ExternalId.Scheme.NATIONAL_ID),
        ),
        Column(
            ExternalId.Scheme.PARTNER.label,
            "#beneficiary+code",
            _external(ExternalId.Scheme.PARTNER),
        ),
        Column(
            ExternalId.Scheme.OTHER.label, "#beneficiary+code", _external(ExternalId.Scheme.OTHER)
        ),
        Column(
            _("Projects"),
            "#activity+project+code",
            lambda p: ", ".join(sorted(r.project.code for r in p.visible_registrations)),
        ),
    ]


def person_table(*, user, persons: QuerySet, on: datetime.date) -> Table:
    """The persons (already filtered through the gate) as an export table, ages on ``on``."""
    registrations = Registration.objects.visible_to(user).select_related("project")
    rows = (
        persons.order_by("pk")
        .select_related("area__parent__parent", "site", "household")
        .prefetch_related(
            "external_ids",
            Prefetch("registrations", queryset=registrations, to_attr="visible_registrations"),
        )
        .iterator(chunk_size=CHUNK)
    )
    return Table(_("Persons"), person_columns(on), rows)
