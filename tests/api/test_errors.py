"""Whatever a client sends, the answer is a 4xx JSON refusal naming what to fix, never a 500."""

import pytest

from tests.api.bodies import counts

GARBAGE = [
    [],
    "text",
    12,
    None,
    {"project": None},
    {"project": 10**30},
    {"project": -1, "date": "yesterday"},
    {"project": 1, "partner": {"id": 1}},
    {"persons": [None]},
    {"persons": [10**30]},
    {"quantity": "1e400", "value": "NaN"},
    {"birth_date": "0000-00-00", "age": -1},
]


@pytest.mark.parametrize(
    "path", ["persons", "sessions", "distributions", "sessions/{s}/attendance"]
)
@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_bodies_are_refused_with_4xx_json_and_write_nothing(world, api, path, body):
    caller = api(world.assistant_a)
    before = counts()
    response = caller.client.post(
        f"/api/v1/{path.format(s=world.session_p.pk)}",
        body,
        content_type="application/json",
        headers=caller.headers,
    )
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]
    assert counts() == before


def test_body_that_is_not_json_is_refused_with_400_saying_so(world, api):
    caller = api(world.assistant_a)
    response = caller.client.post(
        "/api/v1/persons",
        "{family_name: Maïga",
        content_type="application/json",
        headers=caller.headers,
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["persons/abc", "sessions/1.5", "indicators/x/values?period=1", "persons/99999999999999999999"],
)
def test_malformed_ids_are_refused_with_4xx_not_500(world, api, path):
    response = api(world.assistant_a).get(path)
    assert response.status_code in (404, 422)
    assert response.json()["detail"]


def test_huge_patch_values_are_refused_with_the_field(world, api):
    response = api(world.assistant_a).patch(
        f"persons/{world.person_p.pk}", {"family_name": "x" * 101}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"family_name": ["Use at most 100 characters."]}
