"""Creating the tables: an existing table gets the indexes added to the models since it was made. A forked
process opens its own connections. A web process bounds every call to answer a stall in time."""

import multiprocessing
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from enrollments.dynamo import connection, models

_NEWER_INDEXES = ("by_actor", "recent_actions", "failures_by_tenant")


def _index_names(table_name: str) -> set[str]:
    table = connection.connection().client.describe_table(TableName=table_name)["Table"]
    return {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}


@pytest.mark.slow
def test_create_tables__main_table_without_newer_indexes__adds_them_once_and_keeps_its_items():
    saved_prefix = settings.DYNAMODB_TABLE_PREFIX
    settings.DYNAMODB_TABLE_PREFIX = f"old{uuid.uuid4().hex[:8]}_"
    try:
        connection.configure()
        table_name = models.MainItem.Meta.table_name
        schema = models.MainItem._get_schema()
        older = [index for index in schema["global_secondary_indexes"] if index["index_name"] not in _NEWER_INDEXES]
        used = {key["AttributeName"] for index in older for key in index["key_schema"]} | {"id", "sk"}
        connection.connection().create_table(
            table_name,
            attribute_definitions=[a for a in schema["attribute_definitions"] if a["AttributeName"] in used],
            key_schema=schema["key_schema"],
            global_secondary_indexes=older,
            billing_mode="PAY_PER_REQUEST",
        )
        models.UserItem(
            "user#someone@example.com", "0", user_id="u1", name="Someone", email="someone@example.com"
        ).save()

        created = connection.create_tables()

        assert sorted(created) == sorted(
            [f"{table_name}.{name}" for name in _NEWER_INDEXES] + [models.OrderTableItem.Meta.table_name]
        )
        assert set(_NEWER_INDEXES) <= _index_names(table_name)
        assert models.UserItem.get("user#someone@example.com", "0").name == "Someone"
        assert connection.create_tables() == []
    finally:
        settings.DYNAMODB_TABLE_PREFIX = saved_prefix
        connection.configure()


def _read_back(users: list[models.UserItem]) -> list[str]:
    """Read every user by key and return what did not come back as written."""
    wrong = []
    for user in users:
        try:
            if models.UserItem.get(user.id, "0").name != user.name:
                wrong.append(user.id)
        except Exception as error:  # a garbled request or answer: the point of the test
            wrong.append(f"{user.id}: {error}")
    return wrong


@pytest.mark.slow
def test_forked_child__uses_its_own_connections__so_parent_and_child_read_their_own_answers():
    token = uuid.uuid4().hex[:8]
    users = [
        models.UserItem(
            f"user#fork{n}.{token}@example.com",
            "0",
            user_id=f"u{n}",
            name=f"Person {n} {token}",
            email=f"fork{n}.{token}@example.com",
        )
        for n in range(150)
    ]
    for user in users:
        user.save()  # the parent's connection is open before the fork
    context = multiprocessing.get_context("fork")
    child = context.Process(target=lambda: sys.exit(1 if _read_back(users) else 0))

    child.start()
    wrong_in_parent = _read_back(list(reversed(users)))
    child.join(timeout=120)

    assert wrong_in_parent == []
    assert child.exitcode == 0


def test_call_bounds__web_defaults__a_stall_answers_well_within_gunicorns_timeout():
    web, worker = connection.call_bounds(connection.WEB), connection.call_bounds(connection.WORKER)

    # By construction, not by timing: the 503 page within about 10 s, and never past gunicorn's 30 s.
    assert web.stall_seconds() <= 10
    assert web.worst_case_seconds() < 30
    assert worker.stall_seconds() > web.stall_seconds() and worker.max_attempts > web.max_attempts


def test_call_bounds__three_attempts__every_timeout_and_pause_counted():
    bounds = connection.CallBounds(connect_timeout=1, read_timeout=2, max_attempts=3)

    assert bounds.stall_seconds() == pytest.approx(3 * (1 + 2) + 0.025 + 0.05)
    assert bounds.worst_case_seconds() == 3 * (1 + 2) + (1 + 5) + (2 + 5)


def _client_config(model) -> tuple:
    config = model._get_connection().connection.client.meta.config
    return config.connect_timeout, config.read_timeout, config.retries["total_max_attempts"]


def _transactions_config() -> tuple:
    config = connection.connection().client.meta.config
    return config.connect_timeout, config.read_timeout, config.retries["total_max_attempts"]


def test_configure__web_profile__every_client_gets_the_web_bounds_then_the_worker_ones_back():
    web = (settings.DYNAMODB_CONNECT_TIMEOUT, settings.DYNAMODB_READ_TIMEOUT, settings.DYNAMODB_MAX_ATTEMPTS)
    worker = (
        settings.DYNAMODB_WORKER_CONNECT_TIMEOUT,
        settings.DYNAMODB_WORKER_READ_TIMEOUT,
        settings.DYNAMODB_WORKER_MAX_ATTEMPTS,
    )
    try:
        connection.configure(profile=connection.WEB)

        assert _client_config(models.UserItem) == _client_config(models.OrderItem) == web
        assert _transactions_config() == web
    finally:
        connection.configure(profile=connection.WORKER)
    assert _client_config(models.UserItem) == _transactions_config() == worker


@pytest.mark.slow
def test_wsgi__the_web_process__runs_with_the_web_bounds():
    """The WSGI module (gunicorn's and runserver's entry) chooses the web profile; other processes keep the worker one."""
    script = (
        "import backoffice.wsgi; from enrollments.dynamo import connection as c, models as m; "
        "print(c.call_bounds() == c.call_bounds(c.WEB), m.MainItem.Meta.read_timeout_seconds)"
    )
    environment = {**os.environ, "DEBUG": "true", "DYNAMODB_READ_TIMEOUT": "2.5"}

    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "2.5"]
