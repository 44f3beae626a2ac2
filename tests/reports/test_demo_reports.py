"""On the demo: the M&E officer's quarter, from the logframe report to the donor report."""

from __future__ import annotations

import io
import re

import pytest
from django.db import transaction
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from suivi.projects.models import IndicatorValue, Project
from suivi.reports import demo, indicators
from suivi.reports.models import DonorReport
from tests.reports.test_demo import CODES, _load, _log_in


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        _load()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("loaded")
class TestDemoQuarter:
    def test_me_officer_drills_validates_and_downloads_the_french_report(
        self, db, client, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        project = Project.objects.get(code=CODES["edu"])
        q3 = project.periods.get(kind="quarter", year=demo.YEAR, number=3)
        client = _log_in(client, "me@suivi.demo")

        report = client.get(reverse("reports:logframe_report", args=[project.pk]))
        assert report.status_code == 200
        table = report.context["table"]
        column = [p.pk for p in table.periods].index(q3.pk)
        row = next(r for r in table.rows if r.cells[column].persons_url)
        cell = row.cells[column]
        assert cell.actual == indicators.figures(row.indicator, q3).total > 0

        drilled = client.get(cell.persons_url)
        assert drilled.status_code == 200
        assert drilled.context["figure"] == cell.actual
        assert re.search(r"P-\d{7}", drilled.content.decode())

        validated = client.post(reverse("reports:period_validate", args=[q3.pk]), follow=True)
        assert validated.status_code == 200
        statuses = set(IndicatorValue.objects.filter(period=q3).values_list("status", flat=True))
        assert statuses == {IndicatorValue.Status.VALIDATED}

        url = reverse("reports:donor_reports", args=[project.pk])
        for fmt in ("docx", "pdf"):
            response = client.post(
                url,
                {"kind": "quarterly", "quarter": q3.pk, "language": "fr", "format": fmt},
                follow=True,
            )
            assert response.status_code == 200
        docx_report, pdf_report = DonorReport.objects.filter(project=project).order_by("pk")
        docx = client.get(reverse("reports:donor_report_file", args=[docx_report.pk]))
        document = Document(io.BytesIO(b"".join(docx.streaming_content)))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert "Cadre logique : indicateurs et cibles" in headings
        lines = [" | ".join(c.text for c in r.cells) for t in document.tables for r in t.rows]
        figure = str(int(cell.actual)) if cell.actual == int(cell.actual) else str(cell.actual)
        assert any(f" | {row.indicator.code} | " in x and f" | {figure} | " in x for x in lines)
        pdf = client.get(reverse("reports:donor_report_file", args=[pdf_report.pk]))
        reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Cadre logique : indicateurs et cibles" in text
        assert row.indicator.code in text

    def test_the_first_quarters_french_report_carries_the_narrative_written_in_suivi(
        self, db, client, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        project = Project.objects.get(code=CODES["edu"])
        q1 = project.periods.get(kind="quarter", year=demo.YEAR, number=1)
        client = _log_in(client, "me@suivi.demo")

        client.post(
            reverse("reports:donor_reports", args=[project.pk]),
            {"kind": "quarterly", "quarter": q1.pk, "language": "fr", "format": "docx"},
        )

        report = DonorReport.objects.get(project=project)
        docx = client.get(reverse("reports:donor_report_file", args=[report.pk]))
        document = Document(io.BytesIO(b"".join(docx.streaming_content)))
        text = "\n".join(p.text for p in document.paragraphs)
        assert "Réalisations" in text
        assert "critères d'éligibilité" in text
        assert "Rien n'a été écrit" not in text.split("Leçons apprises")[0]
