"""Reporting periods: their lock, what a lock refuses, and the audited unlock with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.projects import services
from suivi.projects.models import IndicatorValue, ReportingPeriod
from tests import helpers
from tests.projects.pages import text


def _quarter(project, number=1) -> ReportingPeriod:
    return project.periods.get(kind="quarter", year=2026, number=number)


def _evidence(name="liste.pdf", size=200):
    return SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * size, content_type="application/pdf")


def test_period_list_shows_each_period_and_its_lock(world, login):
    q1 = _quarter(world.pa)
    services.period_lock(period=q1, by=world.me_a)
    page = text(login(world.me_a).get(reverse("projects:period_list", args=[world.pa.pk])))

    for label in ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026", "2026"]:
        assert label in page
    assert "Locked" in page and "Open" in page
    assert reverse("projects:period_unlock", args=[q1.pk]) in page
    assert reverse("projects:period_lock", args=[_quarter(world.pa, 2).pk]) in page


def test_period_list_has_no_lock_buttons_for_those_who_may_not_lock(world, login):
    q1 = _quarter(world.pa)
    for persona in ["assistant_a", "partner_p", "donor_a"]:
        page = text(
            login(getattr(world, persona)).get(reverse("projects:period_list", args=[world.pa.pk]))
        )
        assert "Q1 2026" in page
        assert reverse("projects:period_lock", args=[q1.pk]) not in page


def test_locked_period_refuses_a_value_change_and_nothing_is_written(world, login, settings):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    q1 = _quarter(world.pa)
    client = login(world.me_a)
    value_url = reverse("projects:value_enter", args=[indicator.pk, q1.pk])
    response = client.post(value_url, {"value": "40", "evidence": _evidence()})
    assert response.status_code == 302

    response = client.post(reverse("projects:period_lock", args=[q1.pk]))

    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.is_locked and q1.locked_by == world.me_a
    assert AuditEvent.objects.filter(action="period.lock", actor=world.me_a).exists()

    events = AuditEvent.objects.count()
    files = sorted((settings.MEDIA_ROOT / "evidence").rglob("*"))
    page = text(client.get(value_url))
    assert "The period Q1 2026 is locked" in page
    assert 'name="value"' not in page
    response = client.post(value_url, {"value": "55", "evidence": _evidence("autre.pdf")})

    assert "The period Q1 2026 is locked" in text(response)
    row = IndicatorValue.objects.get(indicator=indicator, period=q1)
    assert row.value == Decimal("40")
    assert AuditEvent.objects.count() == events
    assert sorted((settings.MEDIA_ROOT / "evidence").rglob("*")) == files


def test_unlock_needs_a_reason_and_is_audited(world, login):
    q1 = _quarter(world.pa)
    services.period_lock(period=q1, by=world.me_a)
    client = login(world.manager_a)
    url = reverse("projects:period_unlock", args=[q1.pk])

    response = client.post(url, {"reason": "   "}, follow=True)

    assert "Say why the period is unlocked." in text(response)
    q1.refresh_from_db()
    assert q1.is_locked
    assert not AuditEvent.objects.filter(action="period.unlock").exists()

    response = client.post(url, {"reason": "Correction des listes de présence de mars"})

    assert response.status_code == 302
    q1.refresh_from_db()
    assert not q1.is_locked
    event = AuditEvent.objects.get(action="period.unlock", target_id=str(q1.pk))
    assert event.actor == world.manager_a
    assert event.changes == {"reason": "Correction des listes de présence de mars"}


def test_lock_and_unlock_answer_only_to_post(world, login):
    q1 = _quarter(world.pa)
    client = login(world.me_a)
    assert client.get(reverse("projects:period_lock", args=[q1.pk])).status_code == 405
    assert client.get(reverse("projects:period_unlock", args=[q1.pk])).status_code == 405
    q1.refresh_from_db()
    assert not q1.is_locked


@pytest.mark.parametrize("persona", ["assistant_a", "partner_p", "donor_a"])
def test_only_me_roles_lock_and_unlock(world, login, persona):
    q1, q2 = _quarter(world.pa), _quarter(world.pa, 2)
    services.period_lock(period=q2, by=world.me_a)
    client = login(getattr(world, persona))

    assert client.post(reverse("projects:period_lock", args=[q1.pk])).status_code == 403
    unlock = reverse("projects:period_unlock", args=[q2.pk])
    assert client.post(unlock, {"reason": "Je veux corriger"}).status_code == 403
    q1.refresh_from_db()
    q2.refresh_from_db()
    assert not q1.is_locked and q2.is_locked


def test_outsider_gets_404_on_another_agencys_periods(world, login):
    q1 = _quarter(world.pa)
    client = login(world.outsider_b)
    assert client.get(reverse("projects:period_list", args=[world.pa.pk])).status_code == 404
    assert client.post(reverse("projects:period_lock", args=[q1.pk])).status_code == 404
    q1.refresh_from_db()
    assert not q1.is_locked
