"""Test support: Twilio's recording media, in front of the Prism mock of its REST API.

Twilio's OpenAPI description has no media endpoint (`/Recordings/{Sid}.wav` returns audio,
which the description does not describe), so Prism cannot serve a recording. This small
loopback server stands in for that one download only: `GET /2010-04-01/Accounts/{AccountSid}/
Recordings/{RecordingSid}.wav` with the account's HTTP Basic credentials answers the WAV the
test gave for that recording (or for every recording); every other request is passed to Prism
unchanged, so the REST calls are still checked against Twilio's description. Hotline is pointed
at this server by TWILIO_API_BASE_URL, as it would be at Prism itself.

Run it by hand for a walk: `python -m tests.twilio_media --prism URL --wav FILE --port N`.
"""

from __future__ import annotations

import argparse
import base64
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import requests

MEDIA_PATH = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/"
                        r"(RE[0-9a-fA-F]{32})\.wav")


@dataclass
class Served:
    """One request the mock answered: method, path, status, and the form it was sent."""

    method: str
    path: str
    status: int
    form: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class MediaMock:
    """What the server serves and what it was asked."""

    prism_url: str
    account_sid: str
    auth_token: str
    audio: dict[str, bytes] = field(default_factory=dict)
    """Recording SID -> WAV bytes; the key "*" answers for any recording."""
    log: list[Served] = field(default_factory=list)
    url: str = ""
    refused: dict[str, int] = field(default_factory=dict)
    """A REST update's `Status` -> the HTTP status answered instead of relaying it (Twilio
    failing that one request)."""

    def media_for(self, recording_sid: str) -> bytes | None:
        return self.audio.get(recording_sid, self.audio.get("*"))

    def authorised(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"


def start(mock: MediaMock) -> ThreadingHTTPServer:
    """Serve `mock` on a free loopback port (its `url` set) in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(mock))
    mock.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _handler(mock: MediaMock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            found = MEDIA_PATH.fullmatch(self.path.split("?", 1)[0])
            if found is None:
                self._to_prism()
            elif not mock.authorised(self.headers.get("Authorization", "")):
                self._answer(401, b"", "text/plain")
            elif found.group(1) != mock.account_sid or \
                    (media := mock.media_for(found.group(2))) is None:
                self._answer(404, b"", "text/plain")
            else:
                self._answer(200, media, "audio/x-wav")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            sent = self.rfile.read(length)
            form = parse_qs(sent.decode())
            refusal = mock.refused.get((form.get("Status") or [""])[0])
            if refusal:
                self._answer(refusal, b'{"message": "unavailable"}', "application/json", form)
            else:
                self._to_prism(sent)

        def _to_prism(self, sent: bytes = b"") -> None:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "content-length")}
            relayed = requests.request(self.command, mock.prism_url + self.path,
                                       data=sent, headers=headers, timeout=10)
            self._answer(relayed.status_code, relayed.content,
                         relayed.headers.get("Content-Type", "application/json"),
                         parse_qs(sent.decode()))

        def _answer(self, status: int, body: bytes, content_type: str,
                    form: dict[str, list[str]] | None = None) -> None:
            mock.log.append(Served(self.command, self.path, status, form or {}))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prism", required=True, help="base URL of the Prism mock")
    parser.add_argument("--wav", required=True, type=Path, help="WAV served for any recording")
    parser.add_argument("--account", default="AC00000000000000000000000000000000")
    parser.add_argument("--token", default="hotline-dev-auth-token")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    mock = MediaMock(args.prism, args.account, args.token, {"*": args.wav.read_bytes()})
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _handler(mock))
    print(f"media mock on http://127.0.0.1:{server.server_address[1]} in front of {args.prism}")
    server.serve_forever()


if __name__ == "__main__":
    main()
