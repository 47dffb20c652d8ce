"""Name search: the enrollment list's page of people whose name has words starting with the ones given."""

from ..dynamo import keys
from ..dynamo.models import (
    EnrollmentItem,
    NameWordItem,
)
from ..pagination import Page, decode_cursor, encode_cursor, merged_page
from ..rules import name_index_words, name_lookup_word, name_matches

# The last Unicode character: every key starting with a prefix sorts at or before ``prefix + _LAST_CHARACTER``.
_LAST_CHARACTER = "\U0010ffff"


# What ``Page.index`` says the global search read: the table's ``names#<xx>`` partitions (and the legacy ``by_name``).
NAMES = "names"


def _name_sort_key(raw: dict) -> str:
    # A row (of the table or an index) carries ``name_sk``; the table's resume key holds it as its ``sk``.
    return (raw.get("name_sk") or raw["sk"])["S"]


def _name_page(
    words: list[str],
    *,
    tenant_id: str | None,
    course_id: str | None,
    status: str | None,
    cursor: str | None,
    page_size: int,
    max_scanned: int,
) -> Page:
    """Return a page of the enrollments whose name has a word starting with each of ``words``.

    One word (``rules.name_lookup_word``) is looked up with ``begins_with`` in the word items'
    ``names#<xx>`` partitions of the table (the global search) or in ``by_tenant_name`` (a
    company's); the course and the other words are a filter expression on the word items; their
    enrollments come in one BatchGet per DynamoDB page, and the status and the whole name are
    checked on them. Each of the word's ``NAME_INDEX_SHARDS`` partitions is read in ``name_sk``
    order and merged; the global search merges the legacy ``by_name`` partitions in too (words
    written before issue 23, until ``manage.py index_names`` has moved them; a company's index
    holds both layouts). Rows come by matched word, then newest first. An enrollment with two words
    starting with the looked-up prefix is shown at the first only, and a word stored in both
    layouts once, so no enrollment shows twice across pages.
    """
    lookup = name_lookup_word(words)
    if lookup is None:
        return Page(items=[], next_cursor=None, index=NAMES)
    if tenant_id:
        index_name = NameWordItem.by_tenant_name.Meta.index_name
        sources = [(NameWordItem.by_tenant_name, shard) for shard in keys.tenant_name_shards(tenant_id, lookup)]
    else:
        index_name = NAMES
        shards = keys.name_shards(lookup)
        sources = [(NameWordItem, shard) for shard in shards] + [(NameWordItem.by_name, shard) for shard in shards]
    conditions = [NameWordItem.words.contains(f" {word}") for word in words if word != lookup]
    if course_id:
        conditions.append(NameWordItem.course_id == course_id)
    filter_condition = None
    for condition in conditions:
        filter_condition &= condition
    query_id = f"{index_name}|{' '.join(words)}|{tenant_id}|{course_id}|{status}"
    position = decode_cursor(cursor, query_id)
    found: dict[str, EnrollmentItem] = {}
    kept_keys: set[str] = set()

    def keep(raws: list[dict]) -> list[dict]:
        named = [(raw, *keys.name_of_sort_key(_name_sort_key(raw))) for raw in raws]
        wanted = {keys.enrollment(enrollment_id) for _, _, enrollment_id in named}
        enrollments = {item.id: item for item in EnrollmentItem.batch_get(wanted)}
        kept = []
        for raw, word, enrollment_id in named:
            enrollment = enrollments.get(enrollment_id)
            if enrollment is None or (status and enrollment.status != status):
                continue
            if not name_matches(enrollment.user.name, words):
                continue
            if word != min(
                (own for own in name_index_words(enrollment.user.name) if own.startswith(lookup)), default=word
            ):
                continue
            if _name_sort_key(raw) != keys.name_sort_key(
                word, created_at=enrollment.created_at, enrollment_id=enrollment.id
            ):
                continue  # a word put for an attempt that did not write the enrollment (its instant differs)
            if _name_sort_key(raw) in kept_keys:
                continue  # the same word in both layouts, between an upgrade and ``index_names``
            kept_keys.add(_name_sort_key(raw))
            found[enrollment.id] = enrollment
            kept.append(raw)
        return kept

    def shard_pages(source, shard):
        # The table's word items hold ``name_sk`` as their ``sk``; an index's, as its range key.
        sort_key = NameWordItem.sk if source is NameWordItem else NameWordItem.name_sk

        def pages(after, limit):
            # After the cursor: from its key on (merged_page drops the row at it) to the prefix's last key.
            condition = sort_key.between(after, lookup + _LAST_CHARACTER) if after else sort_key.startswith(lookup)
            return source.query(shard, condition, filter_condition=filter_condition, page_size=limit).page_iter

        return pages

    raws, next_position, complete = merged_page(
        [shard_pages(source, shard) for source, shard in sources],
        sort_key=_name_sort_key,
        after=position,
        page_size=page_size,
        max_scanned=max_scanned,
        descending=False,
        keep=keep,
    )
    return Page(
        items=[found[keys.name_of_sort_key(_name_sort_key(raw))[1]] for raw in raws],
        next_cursor=encode_cursor(query_id, next_position) if next_position is not None else None,
        complete=complete,
        index=index_name,
    )
