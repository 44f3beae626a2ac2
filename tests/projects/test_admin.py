"""The Django admin of projects: every list and form opens for a superuser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from suivi.projects import services
from tests import helpers

MODELS = [
    "sector",
    "project",
    "result",
    "indicator",
    "reportingperiod",
    "target",
    "indicatorvalue",
    "plannedactivity",
]


@pytest.fixture
def superuser(db):
    user = helpers.create_user("root@suivi.test")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_and_forms_open(world, client, superuser, model):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    period = world.pa.periods.first()
    services.target_set(indicator=indicator, period=period, value=5, by=None)
    services.planned_activity_create(
        project=world.pa,
        by=None,
        data={"title_fr": "Activité", "start_date": period.start, "end_date": period.end},
    )
    client.force_login(superuser)
    assert client.get(reverse(f"admin:projects_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:projects_{model}_add")).status_code == 200


def test_admin_shows_a_periods_lock_without_letting_it_change(world, client, superuser):
    period = world.pa.periods.first()
    services.period_lock(period=period, by=superuser)
    client.force_login(superuser)
    page = client.get(reverse("admin:projects_reportingperiod_change", args=[period.pk]))
    assert page.status_code == 200
    assert 'name="locked_at' not in page.content.decode()
