"""API tokens: created by their owner on a page or the command line, shown once, revocable."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from suivi.accounts.models import ApiToken
from suivi.accounts.services import api_token_user
from suivi.audit.models import AuditEvent


def test_user_creates_a_token_whose_key_is_shown_once_and_works(world, login):
    client = login(world.assistant_a)
    response = client.post(reverse("accounts:token_list"), {"name": "Tableur de Gao"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("suivi_")
    assert api_token_user(key) == world.assistant_a
    token = ApiToken.objects.get(user=world.assistant_a)
    assert token.digest != key and key not in token.digest
    assert key not in client.get(reverse("accounts:token_list")).content.decode()
    assert AuditEvent.objects.filter(action="api_token.create", target_id=str(token.pk)).exists()


def test_token_without_a_name_is_refused_and_nothing_created(world, login):
    client = login(world.assistant_a)
    response = client.post(reverse("accounts:token_list"), {"name": "  "})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_revoked_token_stops_working(world, login):
    client = login(world.assistant_a)
    key = client.post(reverse("accounts:token_list"), {"name": "t"}).context["new_key"]
    token = ApiToken.objects.get(user=world.assistant_a)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert api_token_user(key) is None
    client.logout()  # the API also accepts the browser's session; test the token alone
    response = client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_user_cannot_revoke_another_users_token(world, login):
    client = login(world.assistant_a)
    key = client.post(reverse("accounts:token_list"), {"name": "t"}).context["new_key"]
    token = ApiToken.objects.get(user=world.assistant_a)
    response = login(world.outsider_b).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert api_token_user(key) == world.assistant_a


def test_command_line_prints_a_working_key(world):
    out = StringIO()
    call_command("api_token_create", "ME@a.test", "Power BI", stdout=out)
    assert api_token_user(out.getvalue().strip()) == world.me_a


def test_command_line_names_the_unknown_user(world):
    with pytest.raises(CommandError, match="nobody@a.test"):
        call_command("api_token_create", "nobody@a.test", "x")
