"""Cursor pagination over DynamoDB index queries.

A page is read with ``Limit`` set to one more than the page size, so the view
knows whether a next page exists without an empty last page. The cursor is the
key DynamoDB resumes from (its ``LastEvaluatedKey``, or the key of the last row
shown when the page ended inside a DynamoDB page), signed so a page link cannot
be edited into another query.

With a filter expression DynamoDB reads rows it then drops; a page stops once it
has read ``max_scanned`` rows, so a rare filter value costs a bounded read per
request and the next page goes on from where the reading stopped.
"""

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from pynamodb.pagination import PageIterator

from .exceptions import InvalidCursor

_SALT = "enrollments.pagination"
# Most rows one DynamoDB request reads (before filtering) when a filter drops rows.
_MAX_READ = 1000


@dataclass
class Page:
    """One page of rows, newest first, and the cursor of the next page (``None`` on the last one)."""

    items: list
    next_cursor: str | None
    # False when the read budget ended the page before it was full: more rows may follow.
    complete: bool = True
    index: str = ""
    scanned: int = 0
    extra: dict = field(default_factory=dict)


def encode_cursor(query_id: str, position: Any) -> str:
    return signing.dumps({"q": query_id, "p": position}, salt=_SALT, compress=True)


def decode_cursor(cursor: str | None, query_id: str) -> Any:
    """Return the position a cursor holds, or ``None`` without one; raise ``InvalidCursor`` when foreign."""
    if not cursor:
        return None
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise InvalidCursor() from None
    if not isinstance(data, dict) or data.get("q") != query_id:
        raise InvalidCursor()
    return data.get("p")


def _key_of(raw: dict, key_names) -> dict:
    return {name: raw[name] for name in key_names}


def index_page(
    pages: PageIterator,
    *,
    page_size: int,
    max_scanned: int,
    keep: Callable[[list[dict]], list[dict]] | None = None,
) -> tuple[list[dict], dict | None, bool]:
    """Read one page of raw items from a query's pages.

    Return the items (at most ``page_size``), the key to resume after them
    (``None`` when nothing follows) and whether the page is complete (``False``
    when ``max_scanned`` rows were read before the page filled). ``keep``, given
    each DynamoDB page's items, returns those that belong in the page (in order),
    for filters a filter expression cannot say; the items it returns are shown.
    """
    items: list[dict] = []
    for page in pages:
        raws = page.get("Items", [])
        for raw in keep(raws) if keep is not None and raws else raws:
            if len(items) == page_size:
                # A row beyond the page exists: the next page starts after the last row shown.
                return items, _key_of(items[-1], pages.key_names), True
            items.append(raw)
        if pages.last_evaluated_key is None:
            return items, None, True
        if pages.total_scanned_count >= max_scanned:
            return items, pages.last_evaluated_key, False
        scanned = pages.total_scanned_count
        pages.page_size = min(
            max_scanned - scanned,
            _next_read(need=page_size + 1 - len(items), found=len(items), scanned=scanned, last=pages.page_size),
        )
    return items, None, True


def _next_read(*, need: int, found: int, scanned: int, last: int) -> int:
    """Return how many rows the next request reads: enough for ``need`` more at the match rate so far."""
    if found == 0:
        return min(last * 4, _MAX_READ)
    # A quarter more than the rate predicts, so one more request usually fills the page.
    return max(1, min(math.ceil(need * scanned / found * 1.25), _MAX_READ))


def merged_page(
    shards: list[Callable[[str | None, int], PageIterator]],
    *,
    sort_key: Callable[[dict], str],
    after: str | None,
    page_size: int,
    max_scanned: int,
    descending: bool = True,
    keep: Callable[[list[dict]], list[dict]] | None = None,
) -> tuple[list[dict], str | None, bool]:
    """Read one page, newest first, from several partitions of an index that share a sort key.

    ``shards`` are functions ``(after, limit) -> PageIterator`` that query one
    partition for sort keys below ``after``, descending (above it with
    ``descending=False``, ascending; a row at ``after`` itself is dropped). The
    partitions are merged by ``merged_rounds``. ``keep`` is ``index_page``'s: given each
    DynamoDB page's items, it returns those that belong in the page. Return the items,
    the sort key to resume after (``None`` when nothing follows) and whether the page is complete.
    """
    # A first read of each partition within the read budget: the budget is the whole page's, whatever the shards.
    first = min(page_size + 1, max(1, math.ceil(max_scanned / len(shards))))
    taken: list[dict] = []
    rounds = merged_rounds(
        [make(after, first) for make in shards], sort_key=sort_key, after=after, descending=descending, keep=keep
    )
    for merge in rounds:
        taken.extend(merge.rows)
        if len(taken) > page_size:
            page_items = taken[:page_size]
            return page_items, sort_key(page_items[-1]), True
        if merge.floor is None:
            return taken, None, True
        if merge.scanned >= max_scanned:
            # Rows below ``floor`` still in buffers are read again by the next page.
            return taken, merge.floor, False
    return taken, None, True


def merged_rows(
    shards: list[PageIterator], *, sort_key: Callable[[dict], str], descending: bool = True
) -> Iterator[dict]:
    """Yield every row of several partitions of an index that share a sort key, merged in one order.

    For reads that go to the end (reports, maintenance): no page, no read budget; ``merged_rounds``
    holds at most about one DynamoDB page per partition at a time.
    """
    for merge in merged_rounds(shards, sort_key=sort_key, descending=descending):
        yield from merge.rows


@dataclass
class MergeRound:
    """Rows ``merged_rounds`` placed in one round, in order, and where the partitions stand after it."""

    rows: list[dict]
    # The sort key every partition still being read has been read past; ``None`` once all are read.
    floor: str | None
    # Rows DynamoDB read so far, filtered out or not.
    scanned: int


def merged_rounds(
    shards: list[PageIterator],
    *,
    sort_key: Callable[[dict], str],
    after: str | None = None,
    descending: bool = True,
    keep: Callable[[list[dict]], list[dict]] | None = None,
) -> Iterator[MergeRound]:
    """Merge the pages of several partitions into one order, a round at a time: the one shard merge.

    Each round reads the next DynamoDB page of every partition that holds no unplaced row, and
    places each row once every partition still being read has been read past it, so rows come
    out in one order across partitions (descending, or ascending with ``descending=False``).
    A row whose sort key is ``after`` is dropped (the cursor's own row). The caller stops
    whenever it likes: a partition is read only when the next round is asked for.
    """
    # past(a, b): a comes after b in the merge's order.
    past = (lambda a, b: a < b) if descending else (lambda a, b: a > b)
    buffers: list[list[dict]] = [[] for _ in shards]
    live = set(range(len(shards)))
    frontier: dict[int, str] = {}
    scanned = 0
    while True:
        for number in sorted(live):
            if buffers[number]:
                continue
            pages = shards[number]
            try:
                page = next(pages)
            except StopIteration:
                live.discard(number)
                continue
            scanned += page.get("ScannedCount", 0)
            raws = [raw for raw in page.get("Items", []) if after is None or sort_key(raw) != after]
            buffers[number].extend(keep(raws) if keep is not None and raws else raws)
            if pages.last_evaluated_key is None:
                live.discard(number)
            else:
                frontier[number] = sort_key(pages.last_evaluated_key)
        # Every partition still being read holds nothing unread before ``floor`` (in the merge's order).
        frontiers = [frontier[number] for number in live]
        floor = (max(frontiers) if descending else min(frontiers)) if frontiers else None
        ready = []
        for number, buffer in enumerate(buffers):
            waiting = []
            for raw in buffer:
                (waiting if floor is not None and past(sort_key(raw), floor) else ready).append(raw)
            buffers[number] = waiting
        yield MergeRound(rows=sorted(ready, key=sort_key, reverse=descending), floor=floor, scanned=scanned)
        if floor is None:
            return
