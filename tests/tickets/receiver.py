"""Test support: a real HTTP helpdesk receiver on loopback that can fail, stall and recover."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tickets_bridge.helpdesk import verify_signature

SECRET = "receiver-secret"


@dataclass
class Receiver:
    """Answers each request by the next behaviour in `script` ("fail", "stall", "hang", then
    "ok"). A stall holds the request before taking the change; a hang takes it, then holds
    the answer back (the sender cannot tell that it arrived)."""

    script: list[str] = field(default_factory=list)
    stall_seconds: float = 0.0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    received: int = 0
    refused: int = 0
    bad_signatures: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, body: bytes, signature: str) -> int:
        with self.lock:
            self.received += 1
            behaviour = self.script.pop(0) if self.script else "ok"
            if not verify_signature(SECRET, body, signature):
                self.bad_signatures += 1
                return 401
            if behaviour == "fail":
                self.refused += 1
                return 500
        if behaviour == "stall":
            time.sleep(self.stall_seconds)
            return 200  # too late: the sender has given up and will send it again
        with self.lock:
            self.accepted.append(json.loads(body))
        if behaviour == "hang":
            time.sleep(self.stall_seconds)
        return 200

    def keys(self) -> list[str]:
        """Accepted deliveries' ids, without the repeats a receiver ignores by id."""
        return list(dict.fromkeys(item["id"] for item in self.accepted))


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.handle(body, self.headers.get("X-Hotline-Signature", ""))
            try:
                self.send_response(status)
                self.end_headers()
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/hotline"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
