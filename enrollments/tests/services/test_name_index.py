"""The name search's word items: written by enroll and by imports before the enrollment's transaction, settled when
it is refused, backfilled by ``manage.py index_names``, which also moves the words written before issue 23 (the
enrollment's partition and ``by_name``), found by the search until then."""

import io
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command

from enrollments import selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import NameWordItem
from enrollments.exceptions import ActiveEnrollmentExists, EnrollmentAlreadyExists
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.rules import name_index_words, name_lookup_word, name_words
from enrollments.services import enroll
from enrollments.services.name_index import (
    enrollment_name_words,
    legacy_name_word_keys,
    name_word_items,
    put_name_words,
)
from enrollments.tests.factories import STAFF, make_company, make_course, make_person, stored_name_words


def _unique() -> str:
    return "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:10])


def _word_items(enrollment) -> list[NameWordItem]:
    """Return the enrollment's word items that are stored, by the keys its name gives."""
    return list(NameWordItem.batch_get([(item.id, item.sk) for item in name_word_items(enrollment)]))


def _legacy_items(enrollment) -> list[NameWordItem]:
    return list(NameWordItem.batch_get(legacy_name_word_keys(enrollment)))


def _as_before_issue_23(enrollment) -> None:
    """Replace the enrollment's word items by the ones the code before issue 23 wrote: in the enrollment's
    partition (``name#<word>``) and in both ``by_name`` and ``by_tenant_name``."""
    shard = keys.shard_number(enrollment.id, settings.NAME_INDEX_SHARDS)
    for item in name_word_items(enrollment):
        item.delete()
        word = keys.name_of_sort_key(item.name_sk)[0]
        NameWordItem(
            *keys.legacy_name_word(enrollment.id, word),
            created_at=item.created_at,
            tenant_id=item.tenant_id,
            course_id=item.course_id,
            words=item.words,
            name_pk=keys.sharded(f"names#{word[:2]}", shard),
            tenant_name_pk=item.tenant_name_pk,
            name_sk=item.name_sk,
        ).save()


def _found(text: str, **filters) -> list[str]:
    return [item.id for item in selectors.enrollment_list(name=name_words(text), **filters).items]


def _paged(text: str, *, page_size: int, **filters) -> list[str]:
    """Return the ids of every page of a name search, following the cursors."""
    ids, cursor = [], None
    while True:
        page = selectors.enrollment_list(name=name_words(text), cursor=cursor, page_size=page_size, **filters)
        ids.extend(item.id for item in page.items)
        if (cursor := page.next_cursor) is None:
            return ids


def test_name_words__nfkd_accents_dropped_casefolded_split_on_the_rest():
    assert name_words("  JOÃO d'Ávila-Conceição_Straße  ") == ["joao", "d", "avila", "conceicao", "strasse"]
    assert name_words("!!! ###") == [] and name_words("") == []


def test_name_index_words__distinct_no_particles_no_single_letters_at_most_eight_cut_at_32():
    assert name_index_words("Maria da Silva e Silva dos Santos J.") == ["maria", "silva", "santos"]
    assert len(name_index_words(" ".join(f"w{n}ord" for n in range(20)))) == 8
    assert name_index_words("a" * 100) == ["a" * 32]


def test_name_lookup_word__the_longest_word_not_a_particle():
    assert name_lookup_word(["da", "jo", "silva"]) == "silva"
    assert name_lookup_word(["da"]) == "da"
    assert name_lookup_word(["j", "k"]) is None


def test_enroll__writes_one_word_item_per_indexed_word_keyed_by_it_and_in_by_tenant_name_only(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()

    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name="Zoë de Lima Lima"), author=STAFF
    )

    items = _word_items(enrollment)
    assert sorted(keys.name_of_sort_key(item.sk)[0] for item in items) == ["lima", "zoe"]
    zoe = next(item for item in items if item.sk.startswith("zoe#"))
    shard = keys.shard_number(enrollment.id, settings.NAME_INDEX_SHARDS)
    assert zoe.id == keys.sharded("names#zo", shard)
    assert zoe.sk == zoe.name_sk and zoe.sk.endswith(f"#{enrollment.id}")
    assert zoe.tenant_name_pk == keys.sharded(f"names#{company.id}#zo", shard)
    assert zoe.name_pk is None, "one index entry a word: not in by_name"
    assert zoe.course_id == course.id and zoe.words == " zoe de lima lima"
    assert _legacy_items(enrollment) == []


def test_index_names__enrollments_without_word_items__found_after_and_a_second_run_changes_nothing(capsys):
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name=f"Antônio {family}"), author=STAFF
    )
    for item in _word_items(enrollment):  # as if written before the name search existed
        item.delete()
    assert _found(family, tenant_id=company.id) == []

    call_command("index_names", "--company", company.id)
    first = sorted((item.sk, item.name_sk) for item in _word_items(enrollment))
    call_command("index_names", "--company", company.id)

    assert _found(f"antonio {family}", tenant_id=company.id) == [enrollment.id]
    assert len(first) == 2
    assert sorted((item.sk, item.name_sk) for item in _word_items(enrollment)) == first
    out = capsys.readouterr().out
    assert out.count("Indexed the names of 1 enrollment.") == 2
    assert out.count("Moved the old name words of 0 enrollments.") == 2


def test_name_search__words_written_before_issue_23__found_by_both_searches_in_order_with_new_ones(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    made = []
    for n in range(6):
        frozen_clock.set(frozen_clock.start + timedelta(minutes=n))
        made.append(
            enroll(tenant_id=company.id, course_id=course.id, user=make_person(name=f"Ana {family} {n}"), author=STAFF)
        )
    for enrollment in made[::2]:
        _as_before_issue_23(enrollment)
    newest_first = [enrollment.id for enrollment in reversed(made)]

    assert _paged(family, page_size=4) == newest_first
    assert _paged(family, page_size=2, tenant_id=company.id) == newest_first
    assert _paged(f"ana {family}", page_size=1) == newest_first
    assert _found(family, course_id=course.id) == newest_first


def test_name_search__a_word_in_both_layouts__shown_once():
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name=f"Iara {family}"), author=STAFF
    )
    _as_before_issue_23(enrollment)
    put_name_words(name_word_items(enrollment))  # as an index_names cut short leaves them: both layouts

    assert _paged(family, page_size=1) == [enrollment.id]
    assert _paged(family, page_size=1, tenant_id=company.id) == [enrollment.id]
    assert _found(f"iara {family}") == [enrollment.id]


def test_index_names__words_written_before_issue_23__moved_and_still_found(capsys):
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    enrollments = [
        enroll(tenant_id=company.id, course_id=course.id, user=make_person(name=f"Davi {family} {n}"), author=STAFF)
        for n in range(2)
    ]
    new_words = {enrollment.id: sorted(item.sk for item in _word_items(enrollment)) for enrollment in enrollments}
    _as_before_issue_23(enrollments[0])
    assert len(_legacy_items(enrollments[0])) == 2 and _word_items(enrollments[0]) == []

    call_command("index_names", "--company", company.id)

    for enrollment in enrollments:
        assert _legacy_items(enrollment) == []
        assert sorted(item.sk for item in _word_items(enrollment)) == new_words[enrollment.id]
    assert set(_found(family)) == set(_found(family, tenant_id=company.id)) == set(new_words)
    assert capsys.readouterr().out.splitlines() == [
        "Indexed the names of 2 enrollments.",
        "Moved the old name words of 1 enrollment.",
    ]


def test_index_names__unknown_company__refused_naming_it():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no company nope"):
        call_command("index_names", "--company", "nope")


def test_import__imported_people__found_by_name(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    data = f"nome;e-mail;curso\nJosé {family};jose.{family}@example.com;{course.id}\n".encode()

    job = import_services.import_start(
        file=io.BytesIO(data), file_name="people.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)

    found = selectors.enrollment_list(name=name_words(f"jose {family}"), tenant_id=company.id).items
    assert [item.user.email for item in found] == [f"jose.{family}@example.com"]


def test_enroll__refused__leaves_no_word_item():
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    person = make_person(name=f"Rui {family}")
    enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)
    refused_id = str(uuid.uuid4())

    with pytest.raises(ActiveEnrollmentExists):  # the words went in before the transaction was refused
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, enrollment_id=refused_id)

    assert stored_name_words(refused_id, family) == []


def test_enroll__same_id_again_with_another_name__the_stored_enrollments_words_unchanged():
    company, course = make_company(billing="postpaid"), make_course()
    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name=f"Ana {_unique()}"), author=STAFF
    )
    before = sorted((item.sk, item.name_sk) for item in _word_items(enrollment))
    other = _unique()

    with pytest.raises(EnrollmentAlreadyExists):
        enroll(
            tenant_id=company.id,
            course_id=course.id,
            user=make_person(name=f"Beatriz {other}"),
            author=STAFF,
            enrollment_id=enrollment.id,
        )

    assert len(before) == 2
    assert sorted((item.sk, item.name_sk) for item in _word_items(enrollment)) == before
    assert stored_name_words(enrollment.id, other) == []


def test_name_search__words_whose_enrollment_was_never_written__not_shown():
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    kept = enroll(tenant_id=company.id, course_id=course.id, user=make_person(name=f"Caio {family}"), author=STAFF)
    # As a crash between the words and the transaction leaves them: words of an enrollment that does not exist.
    put_name_words(
        enrollment_name_words(
            enrollment_id=str(uuid.uuid4()),
            name=f"Caio {family}",
            tenant_id=company.id,
            course_id=course.id,
            created_at=kept.created_at,
        )
    )

    assert _found(f"caio {family}", tenant_id=company.id) == [kept.id]
    assert _found(family) == [kept.id]
