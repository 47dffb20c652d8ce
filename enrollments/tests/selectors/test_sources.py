"""A few enrollments at once, and what a source a job wrote names: the import with its file's name, the bulk cancel."""

import io
import uuid

import pytest

from enrollments import selectors
from enrollments.imports import services as import_services
from enrollments.rules import BULK_CANCEL_SOURCE, IMPORT_SOURCE
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = pytest.mark.django_db


def test_enrollments_by_id__some_unknown_or_of_another_kind__the_enrollments_found_by_id():
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    person = make_person()
    ids = [enroll(tenant_id=company.id, course_id=course.id, user=p, author=STAFF).id for p in (person, make_person())]

    found = selectors.enrollments_by_id([*ids, str(uuid.uuid4()), f"user#{person.email}", "", "x" * 3000])

    assert set(found) == set(ids) and found[ids[0]].user.name == person.name


def test_enrollments_by_id__more_than_a_batch__every_one():
    company, course = make_company(billing="postpaid"), make_course()
    ids = [enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id for _ in range(101)]

    assert set(selectors.enrollments_by_id(ids)) == set(ids)


def test_enrollments_by_id__none__no_read():
    assert selectors.enrollments_by_id([]) == {}


def test_source_jobs__import_bulk_cancel_and_others__each_job_with_the_import_s_file_name():
    company, course = make_company(billing="postpaid"), make_course()
    csv = f"nome;email;curso\nAna;ana.{uuid.uuid4().hex[:8]}@example.com;{course.id}\n"
    job = import_services.import_start(
        file=io.BytesIO(csv.encode()), file_name="equipe.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    unknown = str(uuid.uuid4())

    jobs = selectors.source_jobs(
        [f"csv:{job.job_id}", f"csv:{job.job_id}", f"csv:{unknown}", "bulk_cancel:b1", "form", "scheduler", None]
    )

    assert jobs == {
        f"csv:{job.job_id}": selectors.JobSource(kind=IMPORT_SOURCE, job_id=job.job_id, file_name="equipe.csv"),
        f"csv:{unknown}": selectors.JobSource(kind=IMPORT_SOURCE, job_id=unknown, file_name=None),
        "bulk_cancel:b1": selectors.JobSource(kind=BULK_CANCEL_SOURCE, job_id="b1"),
    }
