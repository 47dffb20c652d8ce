import io
from datetime import timedelta

import pytest
from pynamodb.connection.base import Connection

from enrollments.dynamo.models import MainItem
from enrollments.exceptions import InvalidEnrollmentData
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.preview import import_preview
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person, seat_items

pytestmark = pytest.mark.django_db


def _file(rows, header="name,email,course,window days"):
    return io.BytesIO(("\n".join([header, *(",".join(map(str, row)) for row in rows)]) + "\n").encode())


@pytest.fixture
def requests(monkeypatch):
    """Count the DynamoDB requests by operation, letting each one through."""
    counts = {}
    dispatch = Connection.dispatch

    def counting(self, operation_name, operation_kwargs):
        counts[operation_name] = counts.get(operation_name, 0) + 1
        return dispatch(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", counting)
    return counts


def test_preview__person_inside_a_window__reports_already_enrolled_with_the_enrollment(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    enrolled, expired, fresh = make_person(), make_person(), make_person()
    first = enroll(tenant_id=company.id, course_id=course.id, user=enrolled, author=STAFF, deduplication_window_days=10)
    frozen_clock.set(frozen_clock.start - timedelta(days=100))
    enroll(tenant_id=company.id, course_id=course.id, user=expired, author=STAFF, deduplication_window_days=10)
    frozen_clock.set(frozen_clock.start + timedelta(days=1))

    preview = import_preview(
        file=_file([(p.name, p.email, course.id, "10") for p in (enrolled, expired, fresh)]), tenant_id=company.id
    )

    assert (preview.to_enroll, preview.already_enrolled) == (2, 1)
    [row] = preview.problem_rows
    assert (row.line, row.status) == (2, "already_enrolled")
    assert first.id in row.message and "Already enrolled" in row.message


def test_preview__already_enrolled_check__reads_in_batches_not_a_request_a_row(frozen_clock, requests):
    company, course = make_company(billing="postpaid"), make_course()
    people = [make_person() for _ in range(5)]
    for person in people:
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=5)
    rows = [(p.name, p.email, course.id, "") for p in people] + [
        (f"N{i}", f"n{i}.{company.id}@example.com", course.id, "") for i in range(245)
    ]
    requests.clear()

    preview = import_preview(file=_file(rows), tenant_id=company.id)

    assert (preview.rows_total, preview.already_enrolled, preview.to_enroll) == (250, 5, 245)
    # Users of 250 rows in 3 BatchGets of at most 100 keys, then one BatchGet of the 5 locks (the people they
    # hold are not asked for active enrollments); no GetItem a row.
    assert requests.get("BatchGetItem") == 4
    assert requests.get("GetItem", 0) <= 2


def test_preview__prepaid_10_seats_15_rows__says_5_short(frozen_clock):
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=10)

    preview = import_preview(
        file=_file([(f"P{i}", f"p{i}.{company.id}@example.com", course.id, "") for i in range(15)]),
        tenant_id=company.id,
    )

    assert (preview.to_enroll, preview.seats_to_use, preview.seats_short) == (15, 10, 5)
    [message] = preview.seat_messages()
    assert message.startswith(f"5 seats short for {course.name} (rows to enroll: 15, seats left: 10).")


def test_preview__writes_nothing(frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    before = seat_items(company)

    preview = import_preview(file=_file([("Ana", f"ana.{company.id}@example.com", course.id, 5)]), tenant_id=company.id)

    assert preview.to_enroll == 1
    assert seat_items(company) == before
    assert list(MainItem.query(f"user#ana.{company.id}@example.com")) == []
    assert import_selectors.import_job_list(tenant_id=company.id) == []


@pytest.mark.parametrize(
    "options, field",
    [
        ({"tenant_id": "no-such-company"}, "tenant_id"),
        ({"default_course_id": "no-such-course"}, "course_id"),
        ({"window_days": 400}, "deduplication_window_days"),
    ],
)
def test_preview__bad_options__raise_invalid_data_naming_the_field(frozen_clock, options, field):
    company, course = make_company(), make_course(access_period_days=90)
    kwargs = {"tenant_id": company.id, "default_course_id": course.id, **options}

    with pytest.raises(InvalidEnrollmentData) as raised:
        import_preview(file=_file([("Ana", "ana@example.com", course.id, "")]), **kwargs)

    assert raised.value.field == field


def test_preview__same_file_imported_before__names_the_previous_job(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    data = _file([("Ana", f"ana.{company.id}@example.com", course.id, "")]).getvalue()
    job = import_services.import_start(
        file=io.BytesIO(data), file_name="a.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )

    preview = import_preview(file=io.BytesIO(data), tenant_id=company.id)

    assert preview.previous_job.job_id == job.job_id
    assert import_preview(file=io.BytesIO(data + b"\n"), tenant_id=company.id).previous_job is None


@pytest.mark.parametrize("upload_class", ["memory", "temporary"])
def test_preview__django_upload__reads_like_a_file(frozen_clock, upload_class):
    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

    company, course = make_company(billing="postpaid"), make_course()
    data = f"nome;email\nAna;ana.{company.id}@example.com\n".encode("utf-8-sig")
    if upload_class == "memory":
        upload = SimpleUploadedFile("people.csv", data, content_type="text/csv")
    else:
        upload = TemporaryUploadedFile("people.csv", "text/csv", len(data), "utf-8")
        upload.write(data)

    preview = import_preview(file=upload, file_name=upload.name, tenant_id=company.id, default_course_id=course.id)

    assert (preview.file.encoding, preview.file.delimiter, preview.to_enroll) == ("utf-8-sig", ";", 1)


def test_preview_and_start__dynamodb_down__raise_storage_unavailable_not_a_botocore_error(frozen_clock, dynamodb_down):
    from enrollments.exceptions import StorageUnavailable

    for call in (
        lambda: import_preview(file=_file([("Ana", "ana@example.com", "c", "")]), tenant_id="any"),
        lambda: import_services.import_start(
            file=_file([("Ana", "ana@example.com", "c", "")]),
            file_name="a.csv",
            tenant_id="any",
            author=STAFF,
            enqueue=None,
        ),
    ):
        with pytest.raises(StorageUnavailable) as raised:
            call()
        assert raised.value.message.startswith("The database could not take the change")
