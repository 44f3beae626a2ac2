"""An API client per persona: each call carries the persona's API token."""

import pytest

from suivi.accounts.services import api_token_create


class ApiClient:
    """Calls /api/v1/ with ``Authorization: Bearer <key>`` and JSON bodies."""

    def __init__(self, client, key: str | None, language: str | None = None):
        self.client = client
        self.headers = {}
        if key is not None:
            self.headers["authorization"] = f"Bearer {key}"
        if language is not None:
            self.headers["accept-language"] = language

    def _url(self, path: str) -> str:
        return f"/api/v1/{path.lstrip('/')}"

    def get(self, path: str, **params):
        return self.client.get(self._url(path), params, headers=self.headers)

    def post(self, path: str, body=None):
        return self._send("post", path, body)

    def patch(self, path: str, body=None):
        return self._send("patch", path, body)

    def delete(self, path: str):
        return self.client.delete(self._url(path), headers=self.headers)

    def _send(self, method: str, path: str, body):
        send = getattr(self.client, method)
        return send(
            self._url(path), body or {}, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(client):
    """``api(user)``: a client acting with a new API token of ``user`` (English answers)."""

    def _api(user, language: str | None = "en") -> ApiClient:
        _token, key = api_token_create(user=user, name="tests", by=user)
        return ApiClient(client, key, language)

    return _api


@pytest.fixture
def anonymous(client):
    return ApiClient(client, None, "en")
