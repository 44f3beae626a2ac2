"""Computing, storing and validating an indicator's values: M&E roles only, never when locked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from suivi.projects import services as project_services
from suivi.projects.models import IndicatorValue
from tests import helpers
from tests.reports.conftest import attend, text


def compute_url(indicator, period) -> str:
    return reverse("reports:values_compute", args=[indicator.pk, period.pk])


def transition_url(indicator, period) -> str:
    return reverse("reports:values_transition", args=[indicator.pk, period.pk])


def stored(indicator, period) -> dict:
    rows = IndicatorValue.objects.filter(indicator=indicator, period=period)
    return {row.cell: (row.value, row.status) for row in rows}


def test_me_officer_computes_and_stores_the_values(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    attend(world.session_q, world.person_q)

    response = login(world.me_a).post(compute_url(indicator, q1), follow=True)

    assert stored(indicator, q1) == {
        "": (Decimal(2), "draft"),
        "sex=F": (Decimal(1), "draft"),
        "sex=M": (Decimal(1), "draft"),
    }
    assert "Q1 2026: the values are computed and stored (total 2)." in text(response)


@pytest.mark.parametrize("persona", ["assistant_a", "partner_p", "donor_a"])
def test_only_me_roles_compute_or_validate(world, login, attended, persona):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    client = login(getattr(world, persona))
    assert client.post(compute_url(indicator, q1)).status_code == 403
    assert client.post(transition_url(indicator, q1), {"status": "validated"}).status_code == 403
    assert stored(indicator, q1) == {}


def test_outsider_gets_404(world, login, attended):
    indicator, q1 = attended
    client = login(world.outsider_b)
    assert client.post(compute_url(indicator, q1)).status_code == 404
    assert client.post(transition_url(indicator, q1), {"status": "validated"}).status_code == 404


def test_get_is_refused(world, login, attended):
    indicator, q1 = attended
    client = login(world.me_a)
    assert client.get(compute_url(indicator, q1)).status_code == 405
    assert client.get(transition_url(indicator, q1)).status_code == 405


def test_locked_period_is_refused_with_a_message_and_nothing_written(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    project_services.period_lock(period=q1, by=world.me_a)
    client = login(world.me_a)

    computed = client.post(compute_url(indicator, q1), follow=True)
    validated = client.post(transition_url(indicator, q1), {"status": "validated"}, follow=True)

    for response in (computed, validated):
        assert "The period Q1 2026 is locked" in text(response)
        assert "nothing was written" in text(response)
    assert stored(indicator, q1) == {}


def test_unknown_status_is_refused_with_the_choices(world, login, attended):
    indicator, q1 = attended
    response = login(world.me_a).post(
        transition_url(indicator, q1), {"status": "approved"}, follow=True
    )
    assert "Status: choose Submitted, Validated, Draft." in text(response)
    assert stored(indicator, q1) == {}


def test_submitting_stores_fresh_values_and_a_change_goes_back_to_draft(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    client = login(world.me_a)
    client.post(transition_url(indicator, q1), {"status": "submitted"})
    assert stored(indicator, q1) == {
        "": (Decimal(1), "submitted"),
        "sex=F": (Decimal(1), "submitted"),
    }

    attend(world.session_q, world.person_q)
    client.post(compute_url(indicator, q1))

    assert stored(indicator, q1) == {
        "": (Decimal(2), "draft"),
        "sex=F": (Decimal(1), "submitted"),
        "sex=M": (Decimal(1), "draft"),
    }


def test_manual_indicator_values_are_validated_as_entered(world, login):
    manual = helpers.create_indicator(world.pa, code="2.1")
    q1 = world.pa.periods.get(kind="quarter", year=2026, number=1)
    project_services.indicator_value_set(
        indicator=manual, period=q1, value=Decimal(7), by=world.me_a
    )
    client = login(world.me_a)

    refused = client.post(compute_url(manual, q1), follow=True)
    assert "This indicator is entered by hand" in text(refused)

    client.post(transition_url(manual, q1), {"status": "validated"})
    assert stored(manual, q1) == {"": (Decimal(7), "validated")}


def test_nothing_to_validate_says_so(world, login):
    manual = helpers.create_indicator(world.pa, code="2.1")
    q1 = world.pa.periods.get(kind="quarter", year=2026, number=1)
    response = login(world.me_a).post(
        transition_url(manual, q1), {"status": "validated"}, follow=True
    )
    assert "no value could become Validated" in text(response)
