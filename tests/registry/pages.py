"""What the registry page tests share: a valid person form and reading a page as text."""

from __future__ import annotations

import html

from django.utils import timezone


def text(response) -> str:
    """The page as the user reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def person_post(project, partner=None, **changes) -> dict:
    """A valid person form for ``project``: a Malian refugee girl aged about 15."""
    data = {
        "family_name": "Maïga",
        "given_name": "Fatoumata",
        "sex": "F",
        "birth_date": "2011-03-14",
        "age": "",
        "population_group": "refugee",
        "wg_seeing": "none",
        "wg_hearing": "",
        "wg_walking": "a_lot",
        "wg_cognition": "",
        "wg_self_care": "",
        "wg_communication": "",
        "phone": "",
        "area": "",
        "site": "",
        "consent_date": "",
        "consent_scope": "",
        "progres": "",
        "project": project.pk,
        "partner": partner.pk if partner else "",
        "registered_on": timezone.localdate().isoformat(),
    }
    data.update(changes)
    return data
