"""Targets: one form with a target per quarter and year; locked periods are shown, not changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.projects import services
from suivi.projects.models import Target
from tests import helpers
from tests.projects.pages import text


def _periods(project):
    """{label: period} of the project's quarters and year."""
    return {str(p): p for p in project.periods.all()}


def _post(periods, **values) -> dict:
    return {f"period_{periods[label].pk}": value for label, value in values.items()}


def _targets(indicator) -> dict:
    return {str(t.period): t.value for t in Target.objects.filter(indicator=indicator)}


def test_me_officer_sets_a_target_per_period(world, login):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    periods = _periods(world.pa)
    client = login(world.me_a)
    url = reverse("projects:target_edit", args=[indicator.pk])

    page = text(client.get(url))
    for label in ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026", "2026"]:
        assert label in page
    assert page.index("Q4 2026") < page.index(">2026<")

    values = {"Q1 2026": "100", "Q2 2026": "250", "2026": "1000", "Q3 2026": "", "Q4 2026": ""}
    response = client.post(url, _post(periods, **values))

    assert response.status_code == 302
    assert _targets(indicator) == {
        "Q1 2026": Decimal("100"),
        "Q2 2026": Decimal("250"),
        "2026": Decimal("1000"),
    }
    assert AuditEvent.objects.filter(action="target.create", actor=world.me_a).count() == 3
    logframe = text(client.get(reverse("projects:logframe", args=[world.pa.pk])))
    assert "Q2 2026: — / 250" in logframe

    # Change one, clear another, keep the third: each change is audited.
    values = {"Q1 2026": "120", "Q2 2026": "", "2026": "1000", "Q3 2026": "", "Q4 2026": ""}
    client.post(url, _post(periods, **values))
    assert _targets(indicator) == {"Q1 2026": Decimal("120"), "2026": Decimal("1000")}
    update = AuditEvent.objects.get(action="target.update")
    assert update.changes["value"] == ["100.00", "120"]
    assert AuditEvent.objects.filter(action="target.delete", actor=world.me_a).count() == 1


def test_target_of_a_locked_period_is_shown_but_not_changed(world, login):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    periods = _periods(world.pa)
    services.target_set(
        indicator=indicator, period=periods["Q1 2026"], value=Decimal("80"), by=world.me_a
    )
    services.period_lock(period=periods["Q1 2026"], by=world.me_a)
    client = login(world.me_a)
    url = reverse("projects:target_edit", args=[indicator.pk])

    page = text(client.get(url))
    assert f'name="period_{periods["Q1 2026"].pk}"' not in page
    assert "Locked" in page and "80" in page

    response = client.post(url, _post(periods, **{"Q1 2026": "999", "Q2 2026": "50"}))

    assert response.status_code == 302
    assert _targets(indicator) == {"Q1 2026": Decimal("80"), "Q2 2026": Decimal("50")}


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("percentage", "120", "A percentage is between 0 and 100."),
        ("yes_no", "2", "Enter 1 for yes or 0 for no."),
        ("number", "-3", "A target cannot be negative."),
        ("number", "beaucoup", "Enter a number."),
    ],
)
def test_target_out_of_range_is_refused_and_nothing_is_written(world, login, unit, value, message):
    indicator = helpers.create_indicator(world.pa, code="1.1.1", unit=unit)
    periods = _periods(world.pa)
    client = login(world.me_a)
    url = reverse("projects:target_edit", args=[indicator.pk])

    response = client.post(url, _post(periods, **{"Q1 2026": "1", "Q2 2026": value}))

    assert response.status_code == 200
    assert message in text(response)
    assert not Target.objects.exists()


@pytest.mark.parametrize("persona", ["assistant_a", "partner_p", "donor_a"])
def test_targets_are_set_by_me_roles_only(world, login, persona):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    periods = _periods(world.pa)
    client = login(getattr(world, persona))
    url = reverse("projects:target_edit", args=[indicator.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _post(periods, **{"Q1 2026": "5"})).status_code == 403
    assert not Target.objects.exists()
