"""Welcome emails of an import: chosen on the upload form (on by default), stored on the job, sent by the ticks."""

import io
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollments import permissions, selectors
from enrollments.dynamo.models import EnrollmentItem, ImportJobItem
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.imports.outcomes import job_welcome
from enrollments.jobs import services as job_services
from enrollments.services import company_create
from enrollments.tests.factories import STAFF, make_company, make_course
from enrollments.tests.lifecycle_support import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")


@pytest.fixture(autouse=True)
def imports_queue(settings):
    """Queue chunks on a queue of this test alone (no worker takes them): the tests run them in place."""
    import redis

    settings.IMPORTS_QUEUE = f"test-import-welcome-{uuid.uuid4().hex}"
    yield
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(settings.IMPORTS_QUEUE)


def _csv(company, course, count: int, *, invalid: int = 0) -> bytes:
    lines = ["nome;e-mail;curso"]
    lines += [f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}" for i in range(count)]
    lines += [f"Sem Email {i};not-an-email;{course.id}" for i in range(invalid)]
    return ("\n".join(lines) + "\n").encode()


def _import(company, data: bytes, **kwargs):
    job = import_services.import_start(
        file=io.BytesIO(data), file_name="people.csv", tenant_id=company.id, author=STAFF, enqueue=None, **kwargs
    )
    return job_services.job_run_inline(IMPORT, job_id=job.job_id)


def _enrolled(company) -> list[EnrollmentItem]:
    return list(selectors.company_enrollments(company.id))


def _events(outbox) -> Counter:
    return Counter((m.to[0], m.extra_headers["X-Lifecycle-Event"]) for m in outbox)


def test_import__welcome_on__one_welcome_per_enrolled_row_on_the_next_tick_and_never_again(lifecycle_time, mailoutbox):
    t = lifecycle_time
    company = company_create(name=f"Empresa {uuid.uuid4().hex[:6]}", billing="postpaid", language="pt-br")
    course = make_course(access_period_days=35)

    job = _import(company, _csv(company, course, 5, invalid=2))

    assert (job.state, job.enrolled, job.invalid, job.welcome) == ("DONE", 5, 2, True)
    enrollments = _enrolled(company)
    assert len(enrollments) == 5
    t.tick(t.start)
    t.tick(t.start + timedelta(minutes=5))

    assert _events(mailoutbox) == Counter({(e.user.email, "welcome"): 1 for e in enrollments})
    for mail in mailoutbox:
        enrollment = next(e for e in enrollments if [e.user.email] == mail.to)
        link = settings.COURSE_URL_TEMPLATE.format(enrollment_id=enrollment.id, course_id=course.id)
        assert mail.extra_headers["Content-Language"] == "pt-br" and link in mail.body
        assert mail.extra_headers["Message-ID"] == record(enrollment.id, "welcome").message_id
        assert "boas-vindas" in mail.subject


def test_import__welcome_off__no_welcome_record_and_no_email(lifecycle_time, mailoutbox):
    t = lifecycle_time
    company, course = make_company(billing="postpaid"), make_course(access_period_days=35)

    job = _import(company, _csv(company, course, 3), welcome=False)

    assert (job.enrolled, job.welcome) == (3, False)
    t.tick(t.start)
    t.tick(t.start + timedelta(minutes=5))

    assert mailoutbox == []
    assert all(record(e.id, "welcome") is None for e in _enrolled(company))
    assert all(record(e.id, "reminder_no_access_3_days").state == "PENDING" for e in _enrolled(company))


def test_job_welcome__absent_on_a_job_from_before_the_choice__welcomes():
    assert job_welcome(ImportJobItem(welcome=None)) is True
    assert job_welcome(ImportJobItem(welcome=True)) is True
    assert job_welcome(ImportJobItem(welcome=False)) is False


def test_import__job_written_without_the_choice__its_rows_get_the_welcome(lifecycle_time, mailoutbox):
    t = lifecycle_time
    company, course = make_company(billing="postpaid"), make_course(access_period_days=35)
    job = import_services.import_start(
        file=io.BytesIO(_csv(company, course, 2)),
        file_name="people.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=None,
        welcome=False,
    )
    # As a job stored before the attribute existed: no ``welcome`` at all.
    ImportJobItem(job.id, job.sk).update(actions=[ImportJobItem.welcome.remove()])
    assert import_selectors.import_job_get(job.job_id).welcome is None

    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    t.tick(t.start)

    assert _events(mailoutbox) == Counter({(e.user.email, "welcome"): 1 for e in _enrolled(company)})


# The upload form and its preview.


def _upload(client, company, data: bytes, **fields):
    return client.post(
        reverse("admin:import_add"),
        {
            "company": company.id,
            "course": "",
            "window_days": "",
            "file": SimpleUploadedFile("people.csv", data, content_type="text/csv"),
            **fields,
        },
    )


def test_import_add__form__welcome_box_ticked_by_default(client, login):
    login(permissions.OPERATORS)

    page = client.get(reverse("admin:import_add")).content.decode()

    assert 'type="checkbox" name="welcome"' in page
    box = page[page.index('name="welcome"') - 80 : page.index('name="welcome"') + 80]
    assert "checked" in box


@pytest.mark.parametrize("ticked", [True, False])
def test_import_confirm__the_choice_shown_on_the_preview_and_stored_on_the_job(
    client, login, lifecycle_time, mailoutbox, ticked
):
    t = lifecycle_time
    company, course = make_company(billing="postpaid"), make_course(access_period_days=35)
    login(permissions.OPERATORS)

    preview = _upload(client, company, _csv(company, course, 2), **({"welcome": "on"} if ticked else {}))

    shown = preview.content.decode()
    assert 'id="welcome-choice"' in shown
    assert ("each person enrolled gets one" in shown) is ticked and ("get no welcome email" in shown) is not ticked
    confirmed = client.post(reverse("admin:import_confirm"), {"token": preview.context["token"]})
    assert confirmed.status_code == 302
    [job] = import_selectors.import_job_list(tenant_id=company.id)
    assert job.welcome is ticked
    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    t.tick(t.start)
    expected = Counter({(e.user.email, "welcome"): 1 for e in _enrolled(company)}) if ticked else Counter()
    assert _events(mailoutbox) == expected
