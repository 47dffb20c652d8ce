"""Point the PynamoDB models at the configured DynamoDB, and create the tables."""

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


def configure() -> None:
    """Set table names, endpoint, region and credentials on every model from settings."""
    key_id, secret = _credentials()
    for base, base_name in TABLE_BASE_NAMES.items():
        meta = base.Meta
        meta.table_name = settings.DYNAMODB_TABLE_PREFIX + base_name
        meta.host = settings.DYNAMODB_ENDPOINT
        meta.region = settings.DYNAMODB_REGION
        meta.aws_access_key_id = key_id
        meta.aws_secret_access_key = secret
    for model in _all_models():
        # PynamoDB caches a connection per class; drop it so the new settings apply.
        model._connection = None
    _connection_cache.clear()


_connection_cache: dict[tuple, Connection] = {}


def connection() -> Connection:
    """Return a connection for transactions over both tables."""
    key = (settings.DYNAMODB_ENDPOINT, settings.DYNAMODB_REGION)
    if key not in _connection_cache:
        key_id, secret = _credentials()
        _connection_cache[key] = Connection(
            host=settings.DYNAMODB_ENDPOINT,
            region=settings.DYNAMODB_REGION,
            max_pool_connections=64,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )
    return _connection_cache[key]


def create_tables(*, wait: bool = True) -> list[str]:
    """Create every table that is missing; return the names created. Safe to rerun."""
    created = []
    for base in TABLE_BASE_NAMES:
        if not base.exists():
            base.create_table(wait=wait, billing_mode="PAY_PER_REQUEST")
            created.append(base.Meta.table_name)
            if base is models.MainItem:
                _enable_ttl(base.Meta.table_name)
    return created


def _enable_ttl(table_name: str) -> None:
    connection().client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
    )
