"""Creating the tables: an existing table gets the indexes added to the models since it was made."""

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
