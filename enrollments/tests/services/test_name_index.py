"""The name search's word items: written by enroll and by imports before the enrollment's transaction, settled when
it is refused, backfilled by ``manage.py index_names``."""

import io
import uuid

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
from enrollments.services.name_index import enrollment_name_words, name_word_items, put_name_words
from enrollments.tests.factories import STAFF, make_company, make_course, make_person


def _unique() -> str:
    return "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:10])


def _word_items(enrollment_id: str) -> list[NameWordItem]:
    return list(
        NameWordItem.query(enrollment_id, NameWordItem.sk.startswith(keys.NAME_WORD_PREFIX), consistent_read=True)
    )


def _found(text: str, **filters) -> list[str]:
    return [item.id for item in selectors.enrollment_list(name=name_words(text), **filters).items]


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


def test_enroll__writes_one_word_item_per_indexed_word_in_both_name_indexes(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()

    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name="Zoë de Lima Lima"), author=STAFF
    )

    items = _word_items(enrollment.id)
    assert sorted(item.sk for item in items) == ["name#lima", "name#zoe"]
    zoe = next(item for item in items if item.sk == "name#zoe")
    shard = keys.shard_number(enrollment.id, settings.NAME_INDEX_SHARDS)
    assert zoe.name_pk == keys.sharded("names#zo", shard)
    assert zoe.tenant_name_pk == keys.sharded(f"names#{company.id}#zo", shard)
    assert zoe.name_sk.startswith("zoe#") and zoe.name_sk.endswith(f"#{enrollment.id}")
    assert zoe.course_id == course.id and zoe.words == " zoe de lima lima"
    assert sorted(item.sk for item in name_word_items(enrollment)) == sorted(item.sk for item in items)


def test_index_names__enrollments_without_word_items__found_after_and_a_second_run_changes_nothing(capsys):
    company, course = make_company(billing="postpaid"), make_course()
    family = _unique()
    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name=f"Antônio {family}"), author=STAFF
    )
    for item in _word_items(enrollment.id):  # as if written before the name search existed
        item.delete()
    assert _found(family, tenant_id=company.id) == []

    call_command("index_names", "--company", company.id)
    first = sorted((item.sk, item.name_sk) for item in _word_items(enrollment.id))
    call_command("index_names", "--company", company.id)

    assert _found(f"antonio {family}", tenant_id=company.id) == [enrollment.id]
    assert sorted((item.sk, item.name_sk) for item in _word_items(enrollment.id)) == first
    assert capsys.readouterr().out.count("Indexed the names of 1 enrollments.") == 2


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


def test_enroll__refused__leaves_no_word_items_in_its_partition():
    company, course = make_company(billing="postpaid"), make_course()
    person = make_person(name=f"Rui {_unique()}")
    enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)
    refused_id = str(uuid.uuid4())

    with pytest.raises(ActiveEnrollmentExists):  # the words went in before the transaction was refused
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, enrollment_id=refused_id)

    assert _word_items(refused_id) == []


def test_enroll__same_id_again_with_another_name__the_stored_enrollments_words_unchanged():
    company, course = make_company(billing="postpaid"), make_course()
    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name=f"Ana {_unique()}"), author=STAFF
    )
    before = sorted((item.sk, item.name_sk) for item in _word_items(enrollment.id))

    with pytest.raises(EnrollmentAlreadyExists):
        enroll(
            tenant_id=company.id,
            course_id=course.id,
            user=make_person(name=f"Beatriz {_unique()}"),
            author=STAFF,
            enrollment_id=enrollment.id,
        )

    assert sorted((item.sk, item.name_sk) for item in _word_items(enrollment.id)) == before


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
