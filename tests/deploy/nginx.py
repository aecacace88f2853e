"""Test support: the repository's nginx site, deploy/nginx/hotline.conf, run unchanged by a real
nginx as the current user on a loopback port of its own, in front of web hosts the test started.
Only the two files the deployer fills in (web-hosts.conf, tls.conf) are the test's."""

from __future__ import annotations

import getpass
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import answers, wait_for

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "hotline.conf"

MAIN_CONF = """\
daemon off;
worker_processes 1;
user {user};
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 128; }}
http {{
    log_format upstreams '$remote_addr "$request" $status $upstream_addr';
    access_log {dir}/access.log upstreams;
    client_body_temp_path {dir}/temp/body;
    proxy_temp_path {dir}/temp/proxy;
    fastcgi_temp_path {dir}/temp/fastcgi;
    uwsgi_temp_path {dir}/temp/uwsgi;
    scgi_temp_path {dir}/temp/scgi;
    include hotline/hotline.conf;
}}
"""
"""nginx's own main file, as /etc/nginx/nginx.conf is on a host: one worker process (so its
round robin is one sequence), logs and temporary files in the test's directory, and the site
included from where a deployer puts it (hotline/ beside the main file)."""


@dataclass(frozen=True)
class LoggedRequest:
    client: str
    method: str
    path: str
    status: int
    upstream: str


@dataclass(frozen=True)
class Proxy:
    port: int
    certificate: Path
    directory: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def logged(self) -> list[LoggedRequest]:
        """Every request nginx has answered so far, in order, with the web host it went to."""
        requests = []
        for line in (self.directory / "access.log").read_text().splitlines():
            client, request, rest = line.split('"')
            method, path, _ = request.split(" ")
            status, upstream = rest.split(maxsplit=1)
            requests.append(LoggedRequest(client.strip(), method, path, int(status), upstream))
        return requests


def program() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert found, "nginx is not installed: ./dev test installs it (apt-get install nginx)"
    return found


def self_signed(directory: Path, host: str) -> tuple[Path, Path]:
    """A certificate for `host` and for 127.0.0.1 (where the test reaches the proxy), and its
    key; the certificate is its own authority, for the client to trust."""
    certificate, key = directory / "certificate.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    return certificate, key


@contextmanager
def running(directory: Path, host: str, port: int, web_ports: list[int]) -> Iterator[Proxy]:
    """nginx serving deploy/nginx/hotline.conf for `host` over HTTPS on loopback `port`, in
    front of the `hotline serve` processes on `web_ports`."""
    site = directory / "hotline"
    (directory / "temp").mkdir(parents=True)
    site.mkdir()
    shutil.copyfile(SITE, site / "hotline.conf")
    certificate, key = self_signed(directory, host)
    (site / "web-hosts.conf").write_text("".join(
        f"server 127.0.0.1:{web} max_fails=2 fail_timeout=10s;\n" for web in web_ports))
    (site / "tls.conf").write_text(
        f"listen 127.0.0.1:{port} ssl;\nserver_name {host};\n"
        f"ssl_certificate {certificate};\nssl_certificate_key {key};\n")
    (directory / "nginx.conf").write_text(MAIN_CONF.format(dir=directory, user=getpass.getuser()))
    nginx = subprocess.Popen([program(), "-p", f"{directory}/", "-c", str(directory / "nginx.conf"),
                              "-e", str(directory / "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: answers(port) or nginx.poll() is not None, "nginx to listen")
        assert nginx.poll() is None, (directory / "error.log").read_text()
        yield Proxy(port, certificate, directory)
    finally:
        nginx.send_signal(signal.SIGQUIT)  # nginx's graceful shutdown
        nginx.wait(timeout=30)
