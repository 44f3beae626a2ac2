"""What the delivery page tests share: valid forms and reading a page as text."""

from __future__ import annotations

from tests.registry.pages import text

__all__ = ["distribution_post", "session_post", "text"]


def session_post(project, partner=None, **changes) -> dict:
    """A valid session form for ``project``: a training in February 2026."""
    data = {
        "project": project.pk,
        "planned_activity": "",
        "partner": partner.pk if partner else "",
        "kind": "training",
        "title": "Formation des enseignants de Sénou",
        "date": "2026-02-20",
        "area": "",
        "site": "",
        "facilitator": "Ibrahim Sangaré",
        "notes": "",
    }
    data.update(changes)
    return data


def distribution_post(project, partner=None, **changes) -> dict:
    """A valid distribution form for ``project``, without its recipient."""
    data = {
        "project": project.pk,
        "partner": partner.pk if partner else "",
        "recipient": "person",
        "q": "",
        "person": "",
        "household": "",
        "group": "",
        "kind": "kit",
        "item": "Kit scolaire",
        "quantity": "2",
        "unit": "kit",
        "value": "",
        "currency": "",
        "modality": "in_kind",
        "date": "2026-03-05",
        "area": "",
        "site": "",
        "planned_activity": "",
        "session": "",
    }
    data.update(changes)
    return data
