"""A signed-in HTTP client of the running app, for the JSON API tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

ACCOUNTS = "/api/v1/calendar-accounts"
MAX_BODY = 64 * 1024


class Api:
    """An HTTP client of the running app, signed in as alice unless told otherwise."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.seen: list[str] = []
        self.client = httpx.Client(
            base_url=base_url,
            auth=(CRM_LOGIN, CRM_PASSWORD),
            trust_env=False,
            event_hooks={"response": [self._keep]},
        )

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        self.seen.append(f"{response.headers}\n{response.text}")

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        return self.client.request(method, path, **options)

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: Any) -> httpx.Response:
        return self.request("POST", path, **options)

    def patch(self, path: str, **options: Any) -> httpx.Response:
        return self.request("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> httpx.Response:
        return self.request("DELETE", path, **options)

    def assert_never_shown(self, *secrets: str) -> None:
        assert self.seen
        for text in self.seen:
            for secret in secrets:
                assert secret not in text


def assert_error(response: httpx.Response, status: int, message: str = "") -> None:
    """A JSON `{"error": ...}` answer with `status`, whose message contains `message`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"error"}
    assert message in response.json()["error"]
