"""Point the PynamoDB models at the configured DynamoDB, and create the tables."""

import os
import time
from dataclasses import dataclass

from django.conf import settings
from pynamodb.connection import Connection

from . import models

TABLE_BASE_NAMES = {models.MainItem: "enrollments", models.OrderTableItem: "orders"}


def _all_models():
    for base in TABLE_BASE_NAMES:
        yield base
        yield from _subclasses(base)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _credentials() -> tuple[str | None, str | None]:
    if settings.DYNAMODB_ENDPOINT and not settings.DYNAMODB_ACCESS_KEY_ID:
        return "local", "local"
    return settings.DYNAMODB_ACCESS_KEY_ID, settings.DYNAMODB_SECRET_ACCESS_KEY


# The bounds of a storage call depend on who waits for it. A web request must answer the 503 page well within
# gunicorn's timeout (30 s), or the client gets gunicorn's bare 500; a worker, a command or a shell rides out
# a longer stall instead. backoffice/wsgi.py chooses WEB; every other process keeps WORKER.
WEB, WORKER = "web", "worker"
_profile = WORKER

# botocore's "standard" retry mode (PynamoDB 6 hands every retry to botocore; it has no loop of its own but
# the resend of a batch write's unprocessed items, which needs an answer, not a stall) pauses before retry n
# up to base * 2 ** (n - 1) seconds, capped at 20: base 0.025 s for DynamoDB's errors and timeouts, 1 s for
# throttling; an answer carrying x-amz-retry-after may add up to 5 s more (botocore.retries.standard).
_STALL_PAUSE_BASE, _THROTTLING_PAUSE_BASE, _MAX_PAUSE, _RETRY_AFTER_EXTRA = 0.025, 1.0, 20.0, 5.0


@dataclass(frozen=True)
class CallBounds:
    """How long one storage call may wait to connect and for each answer, and how many times it is sent."""

    connect_timeout: float
    read_timeout: float
    max_attempts: int

    def _attempts(self) -> float:
        # A connection that takes the whole connect timeout, then an answer the whole read timeout.
        return self.max_attempts * (self.connect_timeout + self.read_timeout)

    def stall_seconds(self) -> float:
        """Return the longest a call waits for a DynamoDB that answers nothing: every attempt times out."""
        return self._attempts() + sum(
            min(_STALL_PAUSE_BASE * 2 ** (n - 1), _MAX_PAUSE) for n in range(1, self.max_attempts)
        )

    def worst_case_seconds(self) -> float:
        """Return the longest a call can take at all: every attempt times out and every pause is a throttled
        answer's longest (a throttled attempt was answered, so this overstates; it is a bound)."""
        return self._attempts() + sum(
            min(_THROTTLING_PAUSE_BASE * 2 ** (n - 1), _MAX_PAUSE) + _RETRY_AFTER_EXTRA
            for n in range(1, self.max_attempts)
        )


def call_bounds(profile: str | None = None) -> CallBounds:
    """Return the bounds of a storage call in ``profile`` (this process's when ``None``), from settings."""
    if (profile or _profile) == WEB:
        return CallBounds(
            connect_timeout=settings.DYNAMODB_CONNECT_TIMEOUT,
            read_timeout=settings.DYNAMODB_READ_TIMEOUT,
            max_attempts=settings.DYNAMODB_MAX_ATTEMPTS,
        )
    return CallBounds(
        connect_timeout=settings.DYNAMODB_WORKER_CONNECT_TIMEOUT,
        read_timeout=settings.DYNAMODB_WORKER_READ_TIMEOUT,
        max_attempts=settings.DYNAMODB_WORKER_MAX_ATTEMPTS,
    )


def configure(*, profile: str | None = None) -> None:
    """Set table names, endpoint, region, credentials and the call bounds on every model from settings.

    ``profile`` (``WEB`` or ``WORKER``) becomes this process's for good, and its forked children's; without
    it the process keeps the one it has.
    """
    global _profile
    if profile is not None:
        if profile not in (WEB, WORKER):
            raise ValueError(f"Unknown storage profile {profile!r}.")
        _profile = profile
    key_id, secret = _credentials()
    bounds = call_bounds()
    for base, base_name in TABLE_BASE_NAMES.items():
        meta = base.Meta
        meta.table_name = settings.DYNAMODB_TABLE_PREFIX + base_name
        meta.host = settings.DYNAMODB_ENDPOINT
        meta.region = settings.DYNAMODB_REGION
        meta.aws_access_key_id = key_id
        meta.aws_secret_access_key = secret
        meta.connect_timeout_seconds = bounds.connect_timeout
        meta.read_timeout_seconds = bounds.read_timeout
        # PynamoDB sends a call 1 + max_retry_attempts times (botocore's total_max_attempts).
        meta.max_retry_attempts = bounds.max_attempts - 1
    # PynamoDB caches a connection per class; drop it so the new settings apply.
    _forget_connections()


_connection_cache: dict[tuple, Connection] = {}


def _forget_connections() -> None:
    """Drop every model's connection and the transactions' one: the next call opens its own sockets."""
    for model in _all_models():
        model._connection = None
    _connection_cache.clear()


# A forked child (a Celery prefork pool process, a preloaded gunicorn worker, a benchmark's
# process) must not use its parent's open sockets: the requests and answers of both would
# interleave on one connection, and each could read the other's answer.
os.register_at_fork(after_in_child=_forget_connections)


def connection() -> Connection:
    """Return a connection for transactions over both tables."""
    bounds = call_bounds()
    key = (settings.DYNAMODB_ENDPOINT, settings.DYNAMODB_REGION, bounds)
    if key not in _connection_cache:
        key_id, secret = _credentials()
        _connection_cache[key] = Connection(
            host=settings.DYNAMODB_ENDPOINT,
            region=settings.DYNAMODB_REGION,
            max_pool_connections=64,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            connect_timeout_seconds=bounds.connect_timeout,
            read_timeout_seconds=bounds.read_timeout,
            max_retry_attempts=bounds.max_attempts - 1,
        )
    return _connection_cache[key]


def create_tables(*, wait: bool = True) -> list[str]:
    """Create every table that is missing, and every index missing from an existing table; return the names
    created (``table`` or ``table.index``). Safe to rerun."""
    created = []
    for base in TABLE_BASE_NAMES:
        if not base.exists():
            base.create_table(wait=wait, billing_mode="PAY_PER_REQUEST")
            created.append(base.Meta.table_name)
            if base is models.MainItem:
                _enable_ttl(base.Meta.table_name)
        else:
            created += _add_missing_indexes(base)
    return created


def _add_missing_indexes(base) -> list[str]:
    """Add to ``base``'s existing table each global secondary index of its models that the table lacks.

    A table made before an index was added to the models has no such index until then; DynamoDB
    builds one index at a time from the items already there (``UpdateTable``, then wait for it).
    """
    table_name = base.Meta.table_name
    client = connection().client
    existing = {index["IndexName"] for index in _describe(client, table_name).get("GlobalSecondaryIndexes", [])}
    added = []
    for index in base._get_schema()["global_secondary_indexes"]:
        if index["index_name"] in existing:
            continue
        client.update_table(
            TableName=table_name,
            AttributeDefinitions=index["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["index_name"],
                        "KeySchema": index["key_schema"],
                        "Projection": index["projection"],
                    }
                }
            ],
        )
        # One index at a time: DynamoDB refuses another while one is being built.
        _wait_for_index(client, table_name, index["index_name"])
        added.append(f"{table_name}.{index['index_name']}")
    return added


def _describe(client, table_name: str) -> dict:
    return client.describe_table(TableName=table_name)["Table"]


def _wait_for_index(client, table_name: str, index_name: str, *, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while True:
        table = _describe(client, table_name)
        statuses = {index["IndexName"]: index.get("IndexStatus") for index in table.get("GlobalSecondaryIndexes", [])}
        if table["TableStatus"] == "ACTIVE" and statuses.get(index_name) == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"Index {index_name} of {table_name} is still being built.")
        time.sleep(1)


def _enable_ttl(table_name: str) -> None:
    connection().client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
    )


_probe_clients: dict[tuple, object] = {}


def ping(*, timeout: float) -> None:
    """Describe the main table over a client that waits at most ``timeout`` to connect and to read, without retries.

    Raise botocore's error when DynamoDB does not answer, or answers that the table is missing.
    The models' own connection retries for far longer: a readiness probe must answer within its bound.
    """
    import botocore.config
    import botocore.session

    key_id, secret = _credentials()
    key = (settings.DYNAMODB_ENDPOINT, settings.DYNAMODB_REGION, key_id, timeout)
    if key not in _probe_clients:
        _probe_clients[key] = botocore.session.get_session().create_client(
            "dynamodb",
            endpoint_url=settings.DYNAMODB_ENDPOINT,
            region_name=settings.DYNAMODB_REGION,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=botocore.config.Config(
                connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1}
            ),
        )
    _probe_clients[key].describe_table(TableName=models.MainItem.Meta.table_name)


# A forked child opens its own probe sockets too (see _forget_connections).
os.register_at_fork(after_in_child=_probe_clients.clear)
