"""What the project page tests share: reading a page as text and valid forms to post."""

from __future__ import annotations

import html

from suivi.projects import services
from suivi.projects.models import Project


def text(response) -> str:
    """The page as the user reads it (entities such as &#x27; decoded, no-break spaces as
    spaces)."""
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def project_post(**changes) -> dict:
    """A valid project form: a two-year education project in Mali."""
    data = {
        "code": "PA-ECOLE",
        "title_fr": "Retour à l'école à Gao",
        "title_en": "Back to school in Gao",
        "summary": "",
        "status": Project.Status.ACTIVE,
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "budget": "150000000",
        "currency": "XOF",
        "donors": [],
        "partners": [],
        "sectors": [],
        "areas": [],
    }
    data.update(changes)
    return data


def indicator_post(result, /, **changes) -> dict:
    """A valid indicator form: girls aged 12 to 17 who attended at least two trainings."""
    data = {
        "result": result.pk,
        "code": "1.1.1",
        "name_fr": "Nombre de filles formées",
        "name_en": "Number of girls trained",
        "unit": "number",
        "method": "computed",
        "source": "attendance",
        "measure": "persons",
        "session_kinds": ["training"],
        "item_contains": "",
        "min_count": "2",
        "person_sex": "F",
        "person_age_min": "12",
        "person_age_max": "17",
        "person_disability": "",
        "disaggregations": ["sex", "age_band"],
        "baseline": "0",
        "baseline_date": "2026-01-01",
        "means_of_verification": "Listes de présence",
    }
    data.update(changes)
    return data


def output_of(project):
    """An output of the project, for indicators to hang on."""
    return services.result_create(
        project=project,
        by=None,
        data={"level": "output", "code": "1.1", "title_fr": "Produit 1.1", "title_en": "Output"},
    )
