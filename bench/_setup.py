"""Shared start-up of the benchmarks: a fresh DynamoDB Local in memory (behind the latency proxy) and Django on it."""

import argparse
import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RTT_HELP = (
    "network round trip added to every DynamoDB call, in ms, by bench/latency_proxy.py "
    "(half each way; 10 models a client in the same AWS region; default 0: no proxy)"
)


def add_rtt_option(parser: argparse.ArgumentParser, help: str = RTT_HELP) -> None:
    parser.add_argument("--rtt-ms", type=float, default=0.0, help=help)


class Stack:
    """The processes a benchmark started: DynamoDB Local and, with a round trip to add, the latency proxy."""

    def __init__(self, *processes):
        self.processes = processes

    def terminate(self) -> None:
        for process in reversed(self.processes):
            process.terminate()

    def wait(self, timeout: float | None = None) -> None:
        for process in reversed(self.processes):
            process.wait(timeout=timeout)


def start_dynamodb(*, rtt_ms: float = 0) -> tuple[Stack, str]:
    """Start DynamoDB Local in memory, behind the latency proxy when ``rtt_ms`` > 0; return the stack and endpoint."""
    from latency_proxy import start as start_proxy

    from scripts import dynamodb_local

    process, port = dynamodb_local.start()
    if not rtt_ms:
        return Stack(process), f"http://127.0.0.1:{port}"
    try:
        proxy, proxy_port = start_proxy(f"127.0.0.1:{port}", rtt_ms)
    except BaseException:
        process.terminate()
        raise
    print(f"DynamoDB Local behind a latency proxy: {rtt_ms:g} ms added per round trip", flush=True)
    return Stack(process, proxy), f"http://127.0.0.1:{proxy_port}"


def start_stack(*, rtt_ms: float = 0) -> Stack:
    """Start DynamoDB Local (see ``start_dynamodb``), point Django at it with a fresh prefix, create the tables.

    Processes the benchmark starts later (Celery workers) inherit ``DYNAMODB_ENDPOINT``: the proxy's, too.
    """
    stack, endpoint = start_dynamodb(rtt_ms=rtt_ms)
    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    os.environ["DYNAMODB_TABLE_PREFIX"] = f"bench{uuid.uuid4().hex[:6]}_"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from enrollments.dynamo.connection import create_tables

    create_tables()
    return stack


def setup_production_django(endpoint: str, workdir: str) -> None:
    """Start Django with the production settings (no debug bookkeeping on the request path) on ``endpoint``, served
    over plain http to the test client: a SQLite of ``workdir`` migrated, the static files collected there (with
    ``DEBUG=false`` pages name them through WhiteNoise's manifest)."""
    import secrets

    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["STATIC_ROOT"] = f"{workdir}/static"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's "testserver" host in
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
