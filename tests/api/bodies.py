"""Valid request bodies shared by the API tests, and the counts that prove nothing was written."""

import datetime

from django.utils import timezone

from suivi.audit.models import AuditEvent
from suivi.delivery.models import Attendance, Distribution, Session
from suivi.registry.models import Person, Registration


def person_body(project, partner=None, **changes) -> dict:
    """A new person for ``project``: a Malian refugee girl aged about 15."""
    body = {
        "project": project.pk,
        "partner": partner.pk if partner else None,
        "family_name": "Maïga",
        "given_name": "Fatoumata",
        "sex": "F",
        "birth_date": "2011-03-14",
        "population_group": "refugee",
    }
    body.update(changes)
    return body


def session_body(project, partner=None, **changes) -> dict:
    body = {
        "project": project.pk,
        "partner": partner.pk if partner else None,
        "kind": "training",
        "title": "Formation des enseignants",
        "date": "2026-03-02",
    }
    body.update(changes)
    return body


def distribution_body(project, person, partner=None, **changes) -> dict:
    body = {
        "project": project.pk,
        "partner": partner.pk if partner else None,
        "date": "2026-03-03",
        "person": person.pk,
        "kind": "kit",
        "item": "Kit scolaire",
        "quantity": 2,
        "modality": "in_kind",
    }
    body.update(changes)
    return body


def today() -> datetime.date:
    return timezone.localdate()


def counts() -> tuple[int, ...]:
    """How many rows each write could add: unchanged means nothing was written.

    Creating the caller's API token is audited too; it is not a write under test.
    """
    return (
        Person.objects.count(),
        Registration.objects.count(),
        Session.objects.count(),
        Attendance.objects.count(),
        Distribution.objects.count(),
        AuditEvent.objects.exclude(action="api_token.create").count(),
    )
