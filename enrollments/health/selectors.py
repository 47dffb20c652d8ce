"""Whether the services a request needs answer: DynamoDB and the Celery broker (Redis), each within a bound."""

import threading
import time
from collections.abc import Callable

import redis
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from ..dynamo import connection

OK, UNAVAILABLE, TIMEOUT = "ok", "unavailable", "timeout"
FAILURES = (BotoCoreError, ClientError, redis.RedisError, OSError)


def _dynamodb(timeout: float) -> None:
    connection.ping(timeout=timeout)


def _broker(timeout: float) -> None:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


CHECKS: dict[str, Callable[[float], None]] = {"dynamodb": _dynamodb, "redis": _broker}


def readiness(*, timeout: float) -> dict[str, str]:
    """Return each check's outcome (``ok``, ``unavailable`` or ``timeout``), run at once, all within ``timeout``.

    The outcomes name no host, table or error text: the endpoint answers without login.
    """
    outcomes = dict.fromkeys(CHECKS, TIMEOUT)

    def run(name: str, check: Callable[[float], None]) -> None:
        try:
            check(timeout)
        except FAILURES:
            outcomes[name] = UNAVAILABLE
        else:
            outcomes[name] = OK

    # A thread per check, daemonic: a client stalled between its connect and read timeouts
    # ends on its own, after the answer has gone out saying "timeout".
    threads = [threading.Thread(target=run, args=item, daemon=True, name=f"ready-{item[0]}") for item in CHECKS.items()]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return dict(outcomes)
