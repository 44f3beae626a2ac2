"""Who may call the API: a valid API token, or the logged-in session with CSRF for writes."""

import pytest
from django.test import Client

from suivi.accounts.models import ApiToken
from suivi.accounts.services import api_token_create, api_token_revoke
from suivi.delivery.models import Attendance
from tests.api.bodies import counts, person_body
from tests.api.conftest import ApiClient

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a well-formed 32-character CSRF secret


@pytest.mark.parametrize(
    "path", ["projects", "persons", "sessions", "distributions", "indicators", "persons/1"]
)
def test_call_without_token_is_refused_with_401_saying_how_to_authenticate(world, anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused_with_401(world, client):
    token, key = api_token_create(user=world.assistant_a, name="Tableur", by=world.assistant_a)
    api = ApiClient(client, key, "en")
    assert api.get("persons").status_code == 200

    api_token_revoke(token=token, by=world.assistant_a)

    response = api.get("persons")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer suivi_not-a-real-key", "Bearer ", "Basic dXNlcjpwdw=="])
def test_unknown_or_malformed_token_is_refused_with_401(world, client, header):
    response = client.get("/api/v1/projects", headers={"authorization": header})
    assert response.status_code == 401


def test_token_of_a_disabled_user_is_refused(world, api):
    caller = api(world.assistant_a)
    world.assistant_a.is_active = False
    world.assistant_a.save(update_fields=["is_active"])
    assert caller.get("projects").status_code == 401


def test_token_use_is_recorded_on_the_token(world, api):
    api(world.assistant_a).get("projects")
    assert ApiToken.objects.get(user=world.assistant_a).last_used_at is not None


def test_write_without_token_is_refused_with_401_and_writes_nothing(world, anonymous):
    before = counts()
    response = anonymous.post("persons", person_body(world.pa))
    assert response.status_code == 401
    assert counts() == before


def test_logged_in_browser_reads_the_api_with_its_session(world, login):
    client = login(world.partner_p)
    response = client.get("/api/v1/persons")
    assert response.status_code == 200
    assert [p["family_name"] for p in response.json()["items"]] == ["Coulibaly"]


def test_session_write_without_csrf_token_is_refused_and_writes_nothing(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.assistant_a)
    url = f"/api/v1/sessions/{world.session_p.pk}/attendance"

    response = browser.post(url, {"persons": [world.person_p.pk]}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Attendance.objects.exists()


def test_session_write_with_csrf_token_is_accepted(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.assistant_a)
    browser.cookies["csrftoken"] = CSRF_SECRET
    url = f"/api/v1/sessions/{world.session_p.pk}/attendance"

    response = browser.post(
        url,
        {"persons": [world.person_p.pk]},
        content_type="application/json",
        headers={"x-csrftoken": CSRF_SECRET},
    )

    assert response.status_code == 200
    assert Attendance.objects.filter(session=world.session_p, person=world.person_p).exists()


def test_token_write_needs_no_csrf_token(world):
    _token, key = api_token_create(user=world.assistant_a, name="t", by=world.assistant_a)
    api = ApiClient(Client(enforce_csrf_checks=True), key)
    response = api.post(
        f"sessions/{world.session_p.pk}/attendance", {"persons": [world.person_p.pk]}
    )
    assert response.status_code == 200


def test_anonymous_write_is_401_even_when_csrf_is_enforced(world):
    api = ApiClient(Client(enforce_csrf_checks=True), None)
    response = api.post(f"sessions/{world.session_p.pk}/attendance", {"persons": [1]})
    assert response.status_code == 401


# --- Language of the answers -------------------------------------------------------------------


def test_answers_follow_the_users_language_when_the_client_asks_for_none(world, client):
    world.assistant_a.language = "en"
    world.assistant_a.save(update_fields=["language"])
    _token, key = api_token_create(user=world.assistant_a, name="t", by=world.assistant_a)
    body = person_body(world.pa)
    del body["given_name"]

    response = ApiClient(client, key, language=None).post("persons", body)

    assert response.json()["errors"]["given_name"] == ["This field is required."]
    assert response["Content-Language"] == "en"


def test_french_is_the_default_and_accept_language_wins(world, client):
    _token, key = api_token_create(user=world.assistant_a, name="t", by=world.assistant_a)
    body = person_body(world.pa)
    del body["given_name"]

    french = ApiClient(client, key, language=None).post("persons", body)
    english = ApiClient(client, key, language="en").post("persons", body)

    assert french.json()["errors"]["given_name"] == ["Ce champ est obligatoire."]
    assert english.json()["errors"]["given_name"] == ["This field is required."]
