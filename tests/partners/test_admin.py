"""The Django admin of partners: every list and form opens for a superuser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import helpers


@pytest.fixture
def superuser(db):
    user = helpers.create_user("root@suivi.test")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.mark.parametrize("model", ["agreement", "partnerreport"])
def test_admin_lists_and_forms_open(world, client, superuser, model):
    agreement = helpers.create_agreement(world.pa, world.p)
    client.force_login(superuser)
    assert client.get(reverse(f"admin:partners_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:partners_{model}_add")).status_code == 200
    row = agreement if model == "agreement" else agreement.reports.first()
    change = reverse(f"admin:partners_{model}_change", args=[row.pk])
    assert client.get(change).status_code == 200
