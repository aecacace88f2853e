"""The deploy recipe's reverse proxies, run unchanged by the real nginx and Caddy in front of
two `hotline serve` processes on one Redis and one PostgreSQL, as deployed: a call's steps are
taken by both web hosts and each is accepted against the public URL Twilio signed; every
client is throttled under the address the proxy saw, whatever it claims; /metrics is not
served to the public."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import Engine

from ivr.menu_loader import example_menu_path
from simulator.caller import CallSimulator, fetch_transcript
from simulator.inputs import Press, Reply
from simulator.transports import TIMEOUT
from tests.deploy import caddy, nginx
from tests.faults import services
from tests.processes import free_port, wait_for
from tests.tickets.conftest import POSTGRES_URL, postgres_reachable
from tickets_bridge.schema import throwaway_schema

PUBLIC_HOST = "hotline.example.com"
AUTH_TOKEN = "proxy-test-twilio-auth-token"
ADMIN_TOKEN = "proxy-test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WRONG_TOKENS_ALLOWED = 3
CALLER = "+14155550123"


@dataclass(frozen=True)
class Deployment:
    public_url: str
    """HOTLINE_PUBLIC_URL: what Twilio calls and signs."""
    proxy_url: str
    """Where the test reaches the proxy (loopback)."""
    certificate: Path | None
    web_ports: list[int]
    env: dict[str, str]
    nginx: nginx.Proxy | None
    """nginx's access log names the web host that took each request; Caddy keeps none."""


class FromAddress(HTTPAdapter):
    """Connects from a loopback address of its own, so that the proxy sees another client."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, source_address=(self._address, 0), **kwargs)


class ThroughTheProxy:
    """The simulator's transport to the public URL: every request goes to the proxy's loopback
    address under the public host's name, as Twilio's would once DNS names the proxy."""

    def __init__(self, deployment: Deployment, client: str = "127.0.0.1") -> None:
        self._deployment = deployment
        self._host = urlsplit(deployment.public_url).netloc
        self._session = requests.Session()
        self._session.mount(deployment.proxy_url, FromAddress(client))
        # Per request: REQUESTS_CA_BUNDLE in the environment would override the session's.
        self._trust = str(deployment.certificate or True)

    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> Reply:
        reply = self._session.post(self._local(url), data=form, timeout=TIMEOUT,
                                   verify=self._trust, headers={**headers, "Host": self._host})
        return Reply(reply.status_code, reply.text)

    def get(self, url: str, headers: dict[str, str]) -> Reply:
        reply = self._session.get(self._local(url), timeout=TIMEOUT, verify=self._trust,
                                  headers={**headers, "Host": self._host},
                                  allow_redirects=False)
        return Reply(reply.status_code, reply.text)

    def _local(self, url: str) -> str:
        public = self._deployment.public_url
        assert url.startswith(public + "/"), url
        return self._deployment.proxy_url + url[len(public):]


@pytest.fixture
def database() -> Iterator[Engine]:
    postgres_reachable()
    with throwaway_schema(POSTGRES_URL) as engine:
        yield engine


@pytest.fixture(params=["nginx", "caddy"])
def deployment(request: pytest.FixtureRequest, redis_url: str, database: Engine,
               tmp_path: Path) -> Iterator[Deployment]:
    port = free_port()
    # nginx as deployed, over HTTPS (a self-signed certificate); Caddy over plain HTTP, as it
    # would fetch its certificate from Let's Encrypt.
    scheme, netloc = ("https", PUBLIC_HOST) if request.param == "nginx" \
        else ("http", f"{PUBLIC_HOST}:{port}")
    public_url = f"{scheme}://{netloc}"
    env = {"DATABASE_URL": database.url.render_as_string(hide_password=False),
           "HOTLINE_PUBLIC_URL": public_url, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
           "HOTLINE_ADMIN_TOKEN": ADMIN_TOKEN, "HOTLINE_TRUSTED_PROXIES": "1",
           "HOTLINE_WRONG_TOKENS_ALLOWED": str(WRONG_TOKENS_ALLOWED),
           "HOTLINE_METRICS_OPEN": "1", "HOTLINE_WEB_WORKERS": "1",
           "HOTLINE_MENU": str(example_menu_path())}
    with ExitStack() as stack:
        ports = stack.enter_context(web_hosts(redis_url, tmp_path, env))
        proxy_url = f"{scheme}://127.0.0.1:{port}"
        if request.param == "nginx":
            proxy = stack.enter_context(nginx.running(tmp_path / "nginx", PUBLIC_HOST, port,
                                                      ports))
            yield Deployment(public_url, proxy_url, proxy.certificate, ports, env, proxy)
        else:
            stack.enter_context(caddy.running(tmp_path / "caddy", public_url, port, ports))
            yield Deployment(public_url, proxy_url, None, ports, env, None)


@contextmanager
def web_hosts(redis_url: str, tmp_path: Path, env: dict[str, str]) -> Iterator[list[int]]:
    """Two `hotline serve` (gunicorn) on the same Redis and database, answering /health."""
    ports = [free_port(), free_port()]
    web = [services.start("serve", redis_url, tmp_path / f"web{n}",
                          HOTLINE_BIND=f"127.0.0.1:{port}", **env)
           for n, port in enumerate(ports)]
    try:
        for process, port in zip(web, ports, strict=True):
            wait_for(lambda p=process, port=port: p.poll() is not None or _healthy(port),
                     "hotline serve to answer /health")
            assert process.poll() is None, _logs(tmp_path)
        yield ports
    finally:
        services.stop(*web)


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def _logs(tmp_path: Path) -> str:
    return "\n".join(log.read_text() for log in tmp_path.glob("web*/serve.log"))


def test_a_call_through_the_proxy_is_served_by_both_web_hosts(
    deployment: Deployment, redis_url: str, tmp_path: Path,
) -> None:
    bridge = services.start("bridge", redis_url, tmp_path / "bridge", **deployment.env)
    try:
        public = deployment.public_url
        transport = ThroughTheProxy(deployment)
        shown: list[str] = []
        # Nobody is on shift, so a callback is offered first; 9 stays on the line.
        call = CallSimulator(transport, public, AUTH_TOKEN, caller=CALLER,
                             inputs=[Press("1"), Press("1"), Press("1"), Press("9")],
                             out=shown.append)
        result = call.run()
        assert result.ok, shown
        assert "[waiting in queue billing]" in shown
        transcript = fetch_transcript(transport, public, result.call_sid, ADMIN_TOKEN)
        assert transcript[-1] == ("Routing decision: issue=billing/dispute priority=normal "
                                  "tier=L1 queue=billing skills=billing outcome=route")
        if deployment.nginx is not None:
            steps = [r for r in deployment.nginx.logged() if r.method == "POST"]
            assert len(steps) >= 6 and {r.status for r in steps} == {200}
            hosts = [r.upstream for r in steps]
            assert set(hosts) == {f"127.0.0.1:{port}" for port in deployment.web_ports}
            assert all(a != b for a, b in pairwise(hosts)), hosts

        def ticket() -> dict[str, Any] | None:
            found = transport.get(f"{public}/api/v1/tickets?phone={quote(CALLER)}", ADMIN)
            tickets = json.loads(found.body)["tickets"] if found.status == 200 else []
            return tickets[0] if tickets and tickets[0]["queue"] else None

        wait_for(ticket, "the bridge to make the call's ticket")
        made = ticket()
        assert made is not None
        assert (made["issue"], made["queue"], made["tier"]) == ("billing/dispute", "billing", "L1")
        assert result.call_sid in json.dumps(made["calls"])
    finally:
        services.stop(bridge)


def _agents(client: ThroughTheProxy, deployment: Deployment, token: str,
            claimed: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    if claimed is not None:
        headers["X-Forwarded-For"] = claimed
    return client.get(f"{deployment.public_url}/api/v1/agents", headers).status


def test_each_client_is_throttled_under_the_address_the_proxy_saw(
    deployment: Deployment,
) -> None:
    guesser = ThroughTheProxy(deployment, client="127.0.0.2")
    colleague = ThroughTheProxy(deployment, client="127.0.0.3")
    # The guesser's wrong tokens land on both web hosts; the count is shared in Redis.
    for _ in range(WRONG_TOKENS_ALLOWED):
        assert _agents(guesser, deployment, "guess") == 401
    assert _agents(guesser, deployment, ADMIN_TOKEN) == 429
    # Claiming another address does not get the guesser out...
    assert _agents(guesser, deployment, ADMIN_TOKEN, claimed="198.51.100.7") == 429
    # ...nor can anyone get the colleague counted under the guesser's address.
    assert _agents(colleague, deployment, ADMIN_TOKEN, claimed="127.0.0.2") == 200
    assert _agents(colleague, deployment, ADMIN_TOKEN) == 200


def test_metrics_are_scraped_on_each_web_host_not_through_the_proxy(
    deployment: Deployment,
) -> None:
    direct = requests.get(f"http://127.0.0.1:{deployment.web_ports[0]}/metrics", timeout=TIMEOUT)
    assert direct.status_code == 200 and "hotline_agents" in direct.text
    public = ThroughTheProxy(deployment)
    for path in ("/metrics", "//metrics", "/%6Detrics"):
        reply = public.get(deployment.public_url + path, {})
        assert "hotline_" not in reply.body, path
        assert reply.status == 404, path
