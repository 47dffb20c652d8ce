"""Plain BatchWriteItem writes of the main table, sent again until DynamoDB has taken every item.

PynamoDB's ``batch_write`` sends unprocessed items (throttling) again at once, a few times, then gives up;
here they go again after a pause that doubles (``transactions.attempts``), and only then does the write raise
``StorageUnavailable``.
"""

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.utils.translation import ngettext
from pynamodb.exceptions import PynamoDBException

from ..exceptions import StorageUnavailable
from .errors import describe
from .models import MainItem
from .transactions import attempts

# Items of one BatchWriteItem request: DynamoDB's limit.
BATCH_ITEMS = 25
# Sends of a request's unprocessed items, the pause doubling from 50 ms up to 0.2 s a time: about 1.5 s in all.
_UNPROCESSED_TRIES = 10


def batch_write(*, puts: Iterable[MainItem] = (), deletes: Iterable[MainItem] = (), threads: int = 1) -> None:
    """Put and delete items of the main table, 25 a request, ``threads`` requests at a time; raise
    ``StorageUnavailable`` when DynamoDB did not answer or left items unwritten. Nothing is conditional."""
    requests = [("put", item.serialize()) for item in puts] + [("delete", item._get_keys()) for item in deletes]
    groups = [requests[start : start + BATCH_ITEMS] for start in range(0, len(requests), BATCH_ITEMS)]
    try:
        if threads > 1 and len(groups) > 1:
            with ThreadPoolExecutor(max_workers=min(threads, len(groups))) as executor:
                list(executor.map(_send, groups))
        else:
            for group in groups:
                _send(group)
    except PynamoDBException as error:
        raise StorageUnavailable(describe(error)) from error


def _send(group: list[tuple[str, dict]]) -> None:
    """Send one BatchWriteItem, and its unprocessed items again until DynamoDB has taken them all."""
    connection = MainItem._get_connection()
    puts = [item for action, item in group if action == "put"]
    deletes = [key for action, key in group if action == "delete"]
    for _attempt in attempts(_UNPROCESSED_TRIES, first_pause=0.05):
        answer = connection.batch_write_item(put_items=puts, delete_items=deletes) or {}
        unprocessed = answer.get("UnprocessedItems", {}).get(MainItem.Meta.table_name, [])
        if not unprocessed:
            return
        puts = [request["PutRequest"]["Item"] for request in unprocessed if "PutRequest" in request]
        deletes = [request["DeleteRequest"]["Key"] for request in unprocessed if "DeleteRequest" in request]
    left = len(puts) + len(deletes)
    raise StorageUnavailable(
        ngettext(
            "DynamoDB left %(count)d item unwritten after %(tries)d tries",
            "DynamoDB left %(count)d items unwritten after %(tries)d tries",
            left,
        )
        % {"count": left, "tries": _UNPROCESSED_TRIES}
    )
