import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document

from suivi.delivery.services import attendance_record
from tests import helpers

Q1_DAY = datetime.date(2026, 2, 10)
Q2_DAY = datetime.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English, the source language, so that assertions do not follow translations."""
    settings.LANGUAGE_CODE = "en"


def quarter(project, number: int, year: int = 2026):
    return project.periods.get(kind="quarter", year=year, number=number)


def year_period(project, year: int = 2026):
    return project.periods.get(kind="year", year=year)


def attend(session, *persons) -> None:
    attendance_record(session=session, persons=list(persons), by=None)


def text(response) -> str:
    """The page as the user reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


@pytest.fixture
def attended(world):
    """A computed indicator of PA-EDU by sex (persons present at trainings), and its Q1 2026."""
    indicator = helpers.create_indicator(
        world.pa,
        definition={"source": "attendance", "measure": "persons", "session_kinds": ["training"]},
        disaggregations=["sex"],
    )
    return indicator, quarter(world.pa, 1)


@pytest.fixture
def published(world):
    """PA-EDU ready for IATI and DHIS2: identifiers, a DAC sector, a country, a budget and a
    transaction, persons placed in Gao > Ansongo, and a computed indicator by sex and age band
    whose Q1 2026 figures (1 girl and 1 boy aged 12-17) are validated, with a target."""
    from suivi.projects import services as project_services
    from suivi.projects.models import ProjectBudget, ProjectTransaction, Sector
    from suivi.reports import services as report_services

    w = world
    w.a.iati_identifier = "XM-OCHA-AGA"
    w.a.save(update_fields=["iati_identifier"])
    education = Sector.objects.create(
        code="education", name_fr="Éducation", name_en="Education", dac_code="11320"
    )
    gao = helpers.create_area("ML07", "Gao", 1)
    ansongo = helpers.create_area("ML0702", "Ansongo", 2, parent=gao)
    project_services.project_update(
        project=w.pa,
        by=w.manager_a,
        data={"recipient_country": "ML", "humanitarian": True},
        sectors=[education],
        areas=[ansongo],
    )
    ProjectBudget.objects.create(project=w.pa, year=2026, value=120_000_000)
    ProjectTransaction.objects.create(
        project=w.pa, kind="1", date=datetime.date(2026, 1, 15), value=60_000_000, provider=w.donor
    )
    for person in (w.person_p, w.person_q):
        person.area = ansongo
        person.save(update_fields=["area"])
    indicator = helpers.create_indicator(
        w.pa,
        definition={"source": "attendance", "measure": "persons", "session_kinds": ["training"]},
        disaggregations=["sex", "age_band"],
        baseline=0,
    )
    q1 = quarter(w.pa, 1)
    attend(w.session_p, w.person_p)
    attend(w.session_q, w.person_q)
    project_services.target_set(indicator=indicator, period=q1, value=4, by=w.me_a)
    report_services.values_transition(indicator=indicator, period=q1, status="validated", by=w.me_a)
    w.indicator, w.q1 = indicator, q1
    return w


@pytest.fixture
def q1_report(world, attended):
    """Q1 2026 of PA-EDU: 2 persons trained (target 4), a narrative with a photo."""
    from suivi.projects import services as project_services
    from suivi.reports import services

    trained, q1 = attended
    attend(world.session_p, world.person_p)
    attend(world.session_q, world.person_q)
    project_services.target_set(indicator=trained, period=q1, value=Decimal(4), by=world.me_a)
    helpers.create_report_photo(world.pa, q1, caption="Une classe rénovée à Gao")
    services.narratives_save(
        project=world.pa,
        period=q1,
        texts={"achievements": "Deux sessions de formation ont eu lieu à Gao."},
        by=world.me_a,
    )
    return trained, q1


def generate(client, project, **data):
    url = reverse("reports:donor_reports", args=[project.pk])
    return client.post(url, {"kind": "quarterly", "language": "fr", **data}, follow=True)


def downloaded(client, report) -> bytes:
    response = client.get(reverse("reports:donor_report_file", args=[report.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)
