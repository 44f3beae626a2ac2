"""Donor reports: DOCX from the editable template, XLSX and PDF, with the figures of figures()."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from suivi.audit.models import AuditEvent
from suivi.reports import indicators
from suivi.reports.models import DonorReport
from tests import helpers
from tests.reports.conftest import docx_text, downloaded, generate, text


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_quarterly_report_in_french_as_docx_holds_headings_figures_and_narrative(
    world, login, q1_report
):
    trained, q1 = q1_report
    client = login(world.me_a)

    response = generate(client, world.pa, quarter=q1.pk, format="docx")

    assert response.status_code == 200
    report = DonorReport.objects.get()
    assert (report.kind, report.language, report.start, report.end) == (
        "quarterly",
        "fr",
        q1.start,
        q1.end,
    )
    data = downloaded(client, report)
    body = docx_text(data)
    assert "Cadre logique : indicateurs et cibles" in body
    assert "Chiffres clés" in body and "Réalisations" in body and "Annexes" in body
    assert "Deux sessions de formation ont eu lieu à Gao." in body
    assert "Une classe rénovée à Gao" in body
    total = indicators.figures(trained, q1).total
    assert total == 2
    row = next(
        line for line in body.splitlines() if line.startswith("1.1 ") and " | 1.1.1 |" in line
    )
    cells = row.split(" | ")
    assert cells[4:7] == ["4", "2", "50"]  # target, actual = figures(), % achieved
    assert "PA-EDU · Rapport trimestriel · T1 2026" in body  # the template's header, filled
    assert len(Document(io.BytesIO(data)).inline_shapes) == 2  # the chart and the photo
    assert AuditEvent.objects.filter(action="donor_report.generate").exists()


def test_quarterly_report_as_pdf_holds_the_french_headings_and_figures(world, login, q1_report):
    _trained, q1 = q1_report
    client = login(world.me_a)

    generate(client, world.pa, quarter=q1.pk, format="pdf")

    data = downloaded(client, DonorReport.objects.get())
    pages = PdfReader(io.BytesIO(data)).pages
    content = "\n".join(page.extract_text() for page in pages)
    assert "Cadre logique : indicateurs et cibles" in content
    assert "Réalisations" in content and "Deux sessions de formation ont eu lieu à Gao." in content
    assert "Indicateur 1.1.1" in content
    line = next(x for x in content.splitlines() if "Indicateur 1.1.1" in x)
    assert "4 2 50" in line


def test_report_as_excel_holds_the_logframe_table(world, login, q1_report):
    _trained, q1 = q1_report
    client = login(world.me_a)

    generate(client, world.pa, quarter=q1.pk, format="xlsx", language="en")

    workbook = load_workbook(io.BytesIO(downloaded(client, DonorReport.objects.get())))
    assert workbook.sheetnames[:4] == ["Cover", "Summary figures", "Logframe", "Narrative"]
    sheet = workbook["Logframe"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "Result",
        "Code",
        "Indicator",
        "Baseline",
        "Target",
        "Actual",
        "% achieved",
    )
    assert rows[1][1] == "1.1.1" and rows[1][4:7] == (4, 2, 50)


def test_english_report_uses_the_english_template_and_headings(world, login, q1_report):
    _trained, q1 = q1_report
    client = login(world.me_a)

    generate(client, world.pa, quarter=q1.pk, format="docx", language="en")

    body = docx_text(downloaded(client, DonorReport.objects.get()))
    assert "Logframe: indicators against targets" in body
    assert "Quarterly report to the donor" in body


def test_an_administrators_template_replaces_the_shipped_one(world, login, q1_report, settings):
    _trained, q1 = q1_report
    folder = settings.MEDIA_ROOT / "reports" / "templates"
    folder.mkdir(parents=True)
    custom = Document()
    custom.add_paragraph("Modèle de la maison pour {project_code}")
    custom.save(str(folder / "donor_report_fr.docx"))
    client = login(world.me_a)

    generate(client, world.pa, quarter=q1.pk, format="docx")

    body = docx_text(downloaded(client, DonorReport.objects.get()))
    assert "Modèle de la maison pour PA-EDU" in body
    assert "Cadre logique : indicateurs et cibles" in body


def test_weekly_report_counts_the_week_and_monthly_report_gets_its_month(world, login, q1_report):
    client = login(world.me_a)

    generate(client, world.pa, kind="weekly", week_start="2026-02-09", format="xlsx")
    generate(client, world.pa, kind="monthly", month="2026-03", format="xlsx")

    weekly, monthly = DonorReport.objects.order_by("pk")
    assert (weekly.start, weekly.end) == (datetime.date(2026, 2, 9), datetime.date(2026, 2, 15))
    sheet = load_workbook(io.BytesIO(downloaded(client, weekly)))["Cadre logique"]
    assert list(sheet.iter_rows(values_only=True))[1][5] == 2  # both trained on 10/02
    assert monthly.period.kind == "month" and (monthly.start, monthly.end) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 31),
    )


def test_bad_choice_is_refused_with_a_message_and_nothing_is_generated(world, login, q1_report):
    response = generate(login(world.me_a), world.pa, kind="monthly", month="mars", format="pdf")

    assert "Month: write it as year-month, for example 2026-05." in text(response)
    assert not DonorReport.objects.exists()


def test_donor_viewer_downloads_reports_but_cannot_generate_them(world, login, q1_report):
    _trained, q1 = q1_report
    report = helpers.create_donor_report(world.pa, q1, by=world.me_a)
    client = login(world.donor_a)

    assert client.get(reverse("reports:donor_reports", args=[world.pa.pk])).status_code == 200
    assert downloaded(client, report)
    assert generate(client, world.pa, quarter=q1.pk, format="pdf").status_code == 403
    assert DonorReport.objects.count() == 1


def test_outsider_gets_404_for_the_reports_and_their_files(world, login, q1_report):
    _trained, q1 = q1_report
    report = helpers.create_donor_report(world.pa, q1, by=world.me_a)
    client = login(world.outsider_b)

    assert client.get(reverse("reports:donor_reports", args=[world.pa.pk])).status_code == 404
    url = reverse("reports:donor_report_file", args=[report.pk])
    assert client.get(url).status_code == 404
