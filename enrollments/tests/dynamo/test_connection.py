"""Creating the tables: an existing table gets the indexes added to the models since it was made. A forked
process opens its own connections."""

import multiprocessing
import sys
import uuid

from django.conf import settings

from enrollments.dynamo import connection, models

_NEWER_INDEXES = ("by_actor", "recent_actions", "failures_by_tenant")


def _index_names(table_name: str) -> set[str]:
    table = connection.connection().client.describe_table(TableName=table_name)["Table"]
    return {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}


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
