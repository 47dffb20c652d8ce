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


def _name_sort_key(raw: dict) -> str:
    return raw["name_sk"]["S"]


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

    One word (``rules.name_lookup_word``) is looked up with ``begins_with`` in
    ``by_tenant_name`` (a company's) or ``by_name``; the course and the other words
    are a filter expression on the word items; their enrollments come in one
    BatchGet per DynamoDB page, and the status and the whole name are checked on
    them. Each of the word's ``NAME_INDEX_SHARDS`` partitions is read in ``name_sk``
    order and merged. Rows come by matched word, then newest first. An enrollment with two
    words starting with the looked-up prefix is shown at the first only, so no
    enrollment shows twice across pages.
    """
    lookup = name_lookup_word(words)
    if lookup is None:
        return Page(items=[], next_cursor=None, index=NameWordItem.by_name.Meta.index_name)
    if tenant_id:
        index, shards = NameWordItem.by_tenant_name, keys.tenant_name_shards(tenant_id, lookup)
    else:
        index, shards = NameWordItem.by_name, keys.name_shards(lookup)
    conditions = [NameWordItem.words.contains(f" {word}") for word in words if word != lookup]
    if course_id:
        conditions.append(NameWordItem.course_id == course_id)
    filter_condition = None
    for condition in conditions:
        filter_condition &= condition
    query_id = f"{index.Meta.index_name}|{' '.join(words)}|{tenant_id}|{course_id}|{status}"
    position = decode_cursor(cursor, query_id)
    found: dict[str, EnrollmentItem] = {}

    def keep(raws: list[dict]) -> list[dict]:
        wanted = {keys.enrollment(raw["id"]["S"]) for raw in raws}
        enrollments = {item.id: item for item in EnrollmentItem.batch_get(wanted)}
        kept = []
        for raw in raws:
            enrollment = enrollments.get(raw["id"]["S"])
            if enrollment is None or (status and enrollment.status != status):
                continue
            if not name_matches(enrollment.user.name, words):
                continue
            word = keys.name_word_of_sk(raw["sk"]["S"])
            if word != min(
                (own for own in name_index_words(enrollment.user.name) if own.startswith(lookup)), default=word
            ):
                continue
            found[enrollment.id] = enrollment
            kept.append(raw)
        return kept

    def shard_pages(shard):
        def pages(after, limit):
            # After the cursor: from its key on (merged_page drops the row at it) to the prefix's last key.
            condition = (
                NameWordItem.name_sk.between(after, lookup + _LAST_CHARACTER)
                if after
                else NameWordItem.name_sk.startswith(lookup)
            )
            return index.query(shard, condition, filter_condition=filter_condition, page_size=limit).page_iter

        return pages

    raws, next_position, complete = merged_page(
        [shard_pages(shard) for shard in shards],
        sort_key=_name_sort_key,
        after=position,
        page_size=page_size,
        max_scanned=max_scanned,
        descending=False,
        keep=keep,
    )
    return Page(
        items=[found[raw["id"]["S"]] for raw in raws],
        next_cursor=encode_cursor(query_id, next_position) if next_position is not None else None,
        complete=complete,
        index=index.Meta.index_name,
    )
