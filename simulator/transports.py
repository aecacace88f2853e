"""How the caller simulator reaches a server: real HTTP, or a Flask test client in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from simulator.inputs import Reply

if TYPE_CHECKING:
    from flask.testing import FlaskClient

TIMEOUT = 15.0
"""Seconds to wait for an answer: Twilio gives a webhook 15 s before the caller hears an error."""


class HttpTransport:
    """Talks to a running server over HTTP."""

    def __init__(self) -> None:
        self._session = requests.Session()

    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> Reply:
        response = self._session.post(url, data=form, headers=headers, timeout=TIMEOUT)
        return Reply(response.status_code, response.text)

    def get(self, url: str, headers: dict[str, str]) -> Reply:
        response = self._session.get(url, headers=headers, timeout=TIMEOUT)
        return Reply(response.status_code, response.text)

    def close(self) -> None:
        self._session.close()


class FlaskTransport:
    """Drives an app in-process through its test client; URLs under `base_url` map to paths."""

    def __init__(self, client: FlaskClient, base_url: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> Reply:
        response = self._client.post(self._path(url), data=form, headers=headers)
        return Reply(response.status_code, response.get_data(as_text=True))

    def get(self, url: str, headers: dict[str, str]) -> Reply:
        response = self._client.get(self._path(url), headers=headers)
        return Reply(response.status_code, response.get_data(as_text=True))

    def _path(self, url: str) -> str:
        if not url.startswith(self._base):
            raise ValueError(f"{url} is not under {self._base}")
        return url[len(self._base):] or "/"
