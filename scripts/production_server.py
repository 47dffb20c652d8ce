"""Run the back office as production does: gunicorn (gunicorn.conf.py), DEBUG=false, the .env.example settings.

For tests (the ``production_server`` fixtures in enrollments/tests/conftest.py) and benchmarks (bench/load.py):
``production_environment`` builds the environment, ``collectstatic`` fills its STATIC_ROOT, ``ProductionServer``
starts gunicorn on a free loopback port and talks to it as the load balancer would (https ended in front:
``X-Forwarded-Proto: https``, a host of ALLOWED_HOSTS).
"""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from scripts.dynamodb_local import free_port

ROOT = Path(__file__).resolve().parent.parent
# Settings that pick development or production defaults: the caller's (DEBUG=true in tests) must not leak in.
SETTINGS_MODE = ("DEBUG", "SECRET_KEY")


def env_example() -> dict[str, str]:
    """Return the KEY=VALUE lines of .env.example, as the settings' .env reader takes them."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"[A-Z_0-9]+=", line))


def production_environment(
    *, workdir: Path, dynamodb_endpoint: str, table_prefix: str, broker_url: str, **overrides: str
) -> dict[str, str]:
    """Return this process's environment with the .env.example production set in place of its settings.

    Only what cannot be the example's is replaced: a random SECRET_KEY, a SQLite file in ``workdir`` for
    Django's tables, this machine's DynamoDB, tables and broker, and a STATIC_ROOT in ``workdir``;
    127.0.0.1 joins ALLOWED_HOSTS. HTTPS stays required, as behind the load balancer.
    """
    example = env_example()
    inherited = {key: value for key, value in os.environ.items() if key not in {*SETTINGS_MODE, *example}}
    return {
        **inherited,
        **example,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": f"{example['ALLOWED_HOSTS']},127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "DYNAMODB_TABLE_PREFIX": table_prefix,
        "CELERY_BROKER_URL": broker_url,
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def manage(env: dict[str, str], *args: str) -> None:
    """Run ``manage.py <args>`` under ``env``; raise with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def collectstatic(env: dict[str, str]) -> dict[str, str]:
    """Collect static files into the environment's STATIC_ROOT as the image build does; return the manifest's paths."""
    import json

    manage(env, "collectstatic", "--noinput", "-v", "0")
    return json.loads((Path(env["STATIC_ROOT"]) / "staticfiles.json").read_text())["paths"]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class ProductionServer:
    """gunicorn serving the back office on a loopback port; ``get``/``post`` ask as the load balancer does."""

    env: dict[str, str]
    log: Path
    workers: int = 1
    threads: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        """The first host of ALLOWED_HOSTS: the name the load balancer forwards."""
        return self.env["ALLOWED_HOSTS"].split(",")[0]

    def start(self, *, timeout: float = 60) -> "ProductionServer":
        """Start gunicorn with gunicorn.conf.py (bound to loopback here), return once it accepts connections."""
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "backoffice.wsgi:application", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{self.port}"]
        env = {**self.env, "GUNICORN_WORKERS": str(self.workers), "GUNICORN_THREADS": str(self.threads)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def request(
        self,
        method: str,
        path: str,
        *,
        https: bool = True,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 30,
    ) -> Response:
        """Send one request; ``https`` adds the ``X-Forwarded-Proto: https`` the load balancer sets."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            sent = {"Host": self.host, **({"X-Forwarded-Proto": "https"} if https else {}), **(headers or {})}
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def get(self, path: str, **options) -> Response:
        return self.request("GET", path, **options)


class StaffSession:
    """A logged-in staff member's cookies against a ``ProductionServer`` (one ``log_in`` to adapt to new steps)."""

    def __init__(self, server: ProductionServer):
        self.server = server
        self.cookies: dict[str, str] = {}

    def _keep(self, response: Response) -> Response:
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, **options) -> Response:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
        return self._keep(self.server.request(method, path, headers=sent, **options))

    def get(self, path: str, **options) -> Response:
        return self.request("GET", path, **options)

    def log_in(self, *, username: str, password: str) -> None:
        """Log in through the admin's login form (its CSRF cookie and token, the Referer https requires)."""
        login = self.get("/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login.body)
        if login.status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {login.status}")
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()})
        answer = self.request(
            "POST",
            "/admin/login/?next=/admin/",
            body=form.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://{self.server.host}/admin/login/",
            },
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username}: HTTP {answer.status}, no session")
