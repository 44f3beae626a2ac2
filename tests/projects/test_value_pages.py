"""Values entered by hand, with their evidence file; computed indicators are not entered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.projects import services
from suivi.projects.models import IndicatorValue
from tests import helpers
from tests.projects.pages import text

CONTENT = b"%PDF-1.4 liste de presence signee"


def _evidence(name="liste.pdf", content=CONTENT):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def manual(world):
    """A manual percentage indicator of project PA and its first quarter."""
    indicator = helpers.create_indicator(world.pa, code="1.1.2", unit="percentage")
    quarter = world.pa.periods.get(kind="quarter", year=2026, number=1)
    return indicator, quarter


def _url(name, indicator, period):
    return reverse(f"projects:{name}", args=[indicator.pk, period.pk])


def test_me_officer_enters_a_manual_value_with_evidence(world, login, manual):
    indicator, quarter = manual
    client = login(world.me_a)
    url = _url("value_enter", indicator, quarter)
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"value": "62.5", "note": "Enquête de fin de trimestre", "evidence": _evidence()}
    )

    assert response.status_code == 302
    row = IndicatorValue.objects.get(indicator=indicator, period=quarter, cell="")
    assert row.value == Decimal("62.5")
    assert row.status == IndicatorValue.Status.DRAFT
    assert row.note == "Enquête de fin de trimestre"
    assert row.evidence.name.endswith(".pdf")
    event = AuditEvent.objects.get(action="indicator_value.set", target_id=str(row.pk))
    assert event.actor == world.me_a and event.changes["evidence"] is True

    page = text(client.get(url))
    assert "62.5" in page and "Draft" in page
    download = client.get(_url("value_evidence", indicator, quarter))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CONTENT
    logframe = text(client.get(reverse("projects:logframe", args=[world.pa.pk])))
    assert "Q1 2026: 62.50 / —" in logframe


def test_a_new_value_keeps_the_evidence_already_attached(world, login, manual):
    indicator, quarter = manual
    client = login(world.me_a)
    url = _url("value_enter", indicator, quarter)
    client.post(url, {"value": "10", "evidence": _evidence()})

    response = client.post(url, {"value": "12"})

    assert response.status_code == 302
    row = IndicatorValue.objects.get(indicator=indicator, period=quarter)
    assert row.value == Decimal("12") and row.evidence


def test_first_value_needs_its_evidence(world, login, manual):
    indicator, quarter = manual
    response = login(world.me_a).post(_url("value_enter", indicator, quarter), {"value": "10"})
    assert "Attach the document that supports this value" in text(response)
    assert not IndicatorValue.objects.exists()


def test_evidence_over_the_size_limit_is_refused_with_a_clear_message(
    world, login, manual, settings
):
    settings.SUIVI_MAX_UPLOAD_BYTES = 1024
    indicator, quarter = manual
    response = login(world.me_a).post(
        _url("value_enter", indicator, quarter),
        {"value": "10", "evidence": _evidence(content=b"x" * 4096)},
    )
    assert response.status_code == 200
    assert "The file weighs 4.0 KB; the limit is 1.0 KB: send a smaller file." in text(response)
    assert not IndicatorValue.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_evidence_of_an_unknown_type_is_refused(world, login, manual):
    indicator, quarter = manual
    response = login(world.me_a).post(
        _url("value_enter", indicator, quarter),
        {"value": "10", "evidence": _evidence("page.html", b"<script>alert(1)</script>")},
    )
    assert "Send the document as one of these types of file: pdf, jpg" in text(response)
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("140", "A percentage is between 0 and 100."), ("", "This field is required.")],
)
def test_value_out_of_range_is_refused(world, login, manual, value, message):
    indicator, quarter = manual
    response = login(world.me_a).post(
        _url("value_enter", indicator, quarter), {"value": value, "evidence": _evidence()}
    )
    assert message in text(response)
    assert not IndicatorValue.objects.exists()


def test_computed_indicator_values_are_not_entered_by_hand(world, login):
    indicator = helpers.create_indicator(
        world.pa, code="1.1.1", definition={"source": "attendance", "measure": "persons"}
    )
    quarter = world.pa.periods.get(kind="quarter", year=2026, number=1)
    client = login(world.me_a)
    url = _url("value_enter", indicator, quarter)

    page = text(client.get(url))
    assert "This indicator is computed from Suivi data" in page
    assert 'name="value"' not in page
    response = client.post(url, {"value": "10", "evidence": _evidence()})

    assert "This indicator is computed from Suivi data" in text(response)
    assert not IndicatorValue.objects.exists()
    assert not AuditEvent.objects.filter(action="indicator_value.set").exists()


def test_period_of_another_project_is_not_found(world, login, manual):
    indicator, _quarter = manual
    other = helpers.create_project(world.a, code="PA-AUTRE")
    period = other.periods.first()
    response = login(world.me_a).get(_url("value_enter", indicator, period))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["assistant_a", "partner_p", "donor_a"])
def test_values_are_entered_by_me_roles_only(world, login, manual, persona):
    indicator, quarter = manual
    client = login(getattr(world, persona))
    url = _url("value_enter", indicator, quarter)
    assert client.get(url).status_code == 403
    assert client.post(url, {"value": "10", "evidence": _evidence()}).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_evidence_is_read_by_agency_staff_only(world, login, manual):
    indicator, quarter = manual
    services.indicator_value_set(
        indicator=indicator,
        period=quarter,
        value=Decimal("50"),
        by=world.me_a,
        evidence=_evidence(),
    )
    url = _url("value_evidence", indicator, quarter)
    assert login(world.assistant_a).get(url).status_code == 200
    assert login(world.donor_a).get(url).status_code == 403
    assert login(world.partner_p).get(url).status_code == 403
    assert login(world.outsider_b).get(url).status_code == 404
