"""Loopback stand-ins put between Hotline and a real component, to make that component fail
for a while: a TCP relay that can be cut (the component unreachable), and an HTTP front that
answers a scripted run of failures before passing requests on to the real server."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode

import requests


class TcpRelay:
    """Relays 127.0.0.1:`port` to `target`; while cut, every connection (open or new) drops."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._cut = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.refused = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self._cut.set()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._cut.clear()

    def close(self) -> None:
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                self.refused += 1
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            with self._lock:
                self._open.discard(sock)


STALL = "stall"
"""A scripted answer: hold the request without answering until the client gives up."""


class HttpFront:
    """An HTTP server on 127.0.0.1 that answers each request with the next item of `script`
    (a status code, or STALL) and, once the script is used up, passes requests on to
    `upstream` unchanged. `seen` lists (method, path, form, what it got) of every request."""

    def __init__(self, upstream: str, script: list[int | str], stall_seconds: float = 30.0
                 ) -> None:
        self.upstream = upstream.rstrip("/")
        self.script = list(script)
        self.stall_seconds = stall_seconds
        self.seen: list[tuple[str, str, dict[str, str], int | str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def passed(self, method: str, path_part: str) -> int:
        """How many such requests reached the upstream server."""
        with self._lock:
            return sum(1 for m, p, _, got in self.seen
                       if m == method and path_part in p and got == "passed")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, method: str, path: str, body: bytes) -> int | str:
        form = dict(parse_qsl(body.decode(errors="replace")))
        with self._lock:
            answer: int | str = self.script.pop(0) if self.script else "passed"
            self.seen.append((method, path, form, answer))
            return answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        front = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = front._next(self.command, self.path, body)
                if answer == STALL:
                    time.sleep(front.stall_seconds)
                    return
                if isinstance(answer, int):
                    self._reply(answer, b'{"code": 20429, "message": "scripted failure", '
                                        b'"status": %d}' % answer)
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length")}
                upstream = requests.request(self.command, front.upstream + self.path,
                                            data=_prism_form(body), headers=headers,
                                            timeout=30)
                self._reply(upstream.status_code, upstream.content)

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _prism_form(body: bytes) -> bytes:
    """The form as Prism can check it: a field repeated to make an array (Twilio's encoding
    of StatusCallbackEvent) renamed `Name[]`, as tests/twilio_rest.py explains."""
    pairs = parse_qsl(body.decode(), keep_blank_values=True)
    counts = Counter(name for name, _ in pairs)
    return urlencode([(f"{name}[]" if counts[name] > 1 else name, value)
                      for name, value in pairs]).encode()


@contextlib.contextmanager
def relaying(target: tuple[str, int]) -> Iterator[TcpRelay]:
    relay = TcpRelay(target)
    try:
        yield relay
    finally:
        relay.close()
