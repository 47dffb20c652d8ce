"""Pages of bulk cancels: checkboxes on the list, the confirmation, one job per form, the import's button."""

import io
import re
import uuid

import pytest
from django.urls import reverse

from enrollments import permissions, selectors
from enrollments.bulk_cancel import selectors as bulk_selectors
from enrollments.bulk_cancel import services as bulk_services
from enrollments.bulk_cancel import views as bulk_views
from enrollments.bulk_cancel.kind import BULK_CANCEL
from enrollments.dynamo import keys
from enrollments.dynamo.models import BulkCancelListingItem, BulkCancelResultItem
from enrollments.exceptions import BulkCancelNotFound
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.jobs import tasks as job_tasks
from enrollments.permissions import sync_groups
from enrollments.services import enroll
from enrollments.tests.celery_support import queue_idle
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person
from enrollments.tests.request_support import post_at_once
from enrollments.validators import format_cpf

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_queue(settings):
    """A queue no worker reads: the jobs these pages start wait there, and the pages show them running."""
    settings.IMPORTS_QUEUE = "test-bulk-views-nobody"
    yield
    from enrollments.tests.celery_support import drop_queue

    drop_queue(settings.IMPORTS_QUEUE)


def _enrollments(count):
    company, course = make_company(), make_course()
    make_order(company, course, seats=count)
    return company, [
        enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id for _ in range(count)
    ]


def _token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)


def test_enrollment_list__operator__checkboxes_and_cancel_selected(client, login):
    company, ids = _enrollments(2)
    login(permissions.OPERATORS)

    html = client.get(reverse("admin:enrollment_list"), {"company": company.id}).content.decode()

    assert 'id="cancel-selected"' in html and reverse("admin:bulk_cancel_confirm") in html
    assert all(f'name="enrollment" value="{enrollment_id}"' in html for enrollment_id in ids)


def test_enrollment_list__viewer__no_checkboxes(client, login):
    company, _ids = _enrollments(1)
    login(permissions.VIEWERS)

    html = client.get(reverse("admin:enrollment_list"), {"company": company.id}).content.decode()

    assert 'name="enrollment"' not in html and "cancel-selected" not in html


def test_bulk_cancel_confirm__viewer__403(client, login):
    login(permissions.VIEWERS)

    assert client.post(reverse("admin:bulk_cancel_confirm"), {"enrollment": ["x"]}).status_code == 403


def test_bulk_cancel_confirm__selection_then_form__starts_one_job_and_shows_its_page(client, login, no_queue):
    _company, ids = _enrollments(2)
    login(permissions.OPERATORS)
    url = reverse("admin:bulk_cancel_confirm")

    page = client.post(url, {"enrollment": ids})
    html = page.content.decode()
    assert page.status_code == 200 and "2 enrollments will be canceled." in html
    assert re.search(r'<input[^>]*name="notify_learner"[^>]*checked', html)
    data = {"token": _token(html), "reason": "Wrong company", "notify_learner": "on", "enrollment_ids": "\n".join(ids)}

    first, second = client.post(url, data), client.post(url, data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("admin:bulk_cancel_detail", args=[data["token"]])
    job = bulk_selectors.bulk_cancel_get(data["token"])
    assert (job.total, job.reason, job.notify_learner, job.state) == (2, "Wrong company", True, "RUNNING")
    detail = client.get(first["Location"]).content.decode()
    assert 'id="bulk-bar"' in detail and reverse("admin:bulk_cancel_progress_json", args=[data["token"]]) in detail
    progress = client.get(reverse("admin:bulk_cancel_progress_json", args=[data["token"]])).json()
    assert progress == {
        "state": "RUNNING",
        "processed": 0,
        "total": 2,
        "percent": 0,
        "canceled": 0,
        "refused": 0,
        "finished": False,
        "done": False,
        "waiting": False,
    }
    listed = client.get(reverse("admin:bulk_cancel_list")).content.decode()
    assert f'data-job="{data["token"]}"' in listed


@pytest.mark.django_db(transaction=True)
def test_bulk_cancel_confirm__double_click_at_once__one_job(client, login, no_queue):
    # Transactional tests flush the database, the staff groups with it: make them again.
    sync_groups()
    _company, ids = _enrollments(1)
    login(permissions.OPERATORS)
    url = reverse("admin:bulk_cancel_confirm")
    token = _token(client.post(url, {"enrollment": ids}).content.decode())

    responses = post_at_once(client, url, {"token": token, "reason": "Twice", "enrollment_ids": ids[0]})

    assert [response.status_code for response in responses] == [302, 302]
    listed = [item for item in BulkCancelListingItem.query("bulk_cancels") if item.job_id == token]
    assert len(listed) == 1


@pytest.mark.slow
def test_bulk_cancel_confirm__broker_down__page_says_queuing_failed_then_one_sweep_queues_it_and_a_worker_finishes(
    client, login, broker_down, workers
):
    _company, ids = _enrollments(2)
    login(permissions.OPERATORS)
    url = reverse("admin:bulk_cancel_confirm")
    token = _token(client.post(url, {"enrollment": ids}).content.decode())

    response = client.post(url, {"token": token, "reason": "Wrong company", "enrollment_ids": "\n".join(ids)})

    detail = client.get(response["Location"]).content.decode()
    assert "does not answer right now" in detail and "The bulk cancel started" not in detail
    assert 'id="bulk-waiting">' in detail
    job = bulk_selectors.bulk_cancel_get(token)
    assert (job.state, job.queued_at, job.done) == ("RUNNING", None, 0) and queue_idle(workers.queue)
    workers.start()

    broker_down.restore()
    assert token in job_tasks.bulk_cancels_resume_stalled()

    done = workers.wait_for(lambda: (job := bulk_selectors.bulk_cancel_get(token)).state == "DONE" and job)
    assert (done.canceled, done.refused) == (2, 0)
    assert [selectors.enrollment_get(enrollment_id).status for enrollment_id in ids] == ["CANCELED"] * 2
    assert 'id="bulk-waiting" hidden>' in client.get(response["Location"]).content.decode()


def test_bulk_cancel_confirm__without_reason__form_error_and_no_job(client, login, no_queue):
    _company, ids = _enrollments(1)
    login(permissions.OPERATORS)
    url = reverse("admin:bulk_cancel_confirm")
    token = _token(client.post(url, {"enrollment": ids}).content.decode())

    page = client.post(url, {"token": token, "reason": "", "enrollment_ids": ids[0]})

    assert page.status_code == 200 and "errornote" in page.content.decode()
    with pytest.raises(BulkCancelNotFound):
        bulk_selectors.bulk_cancel_get(token)


def test_import_detail__done__links_to_cancel_its_enrollments(client, login, no_queue):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    csv = f"nome;email;curso\nAna;ana.{company.id}@example.com;{course.id}\nBia;bia.{company.id}@example.com;{course.id}\n"
    job = import_services.import_start(
        file=io.BytesIO(csv.encode()), file_name="a.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    login(permissions.OPERATORS)

    html = client.get(reverse("admin:import_detail", args=[job.job_id])).content.decode()
    link = f"{reverse('admin:bulk_cancel_confirm')}?import_id={job.job_id}"
    assert link in html

    page = client.get(link)
    assert "2 enrollments will be canceled." in page.content.decode()
    token = _token(page.content.decode())
    response = client.post(
        reverse("admin:bulk_cancel_confirm"), {"token": token, "reason": "Wrong company", "import_id": job.job_id}
    )
    assert response.status_code == 302
    started = bulk_selectors.bulk_cancel_get(token)
    assert (started.import_id, started.total, started.notify_learner) == (job.job_id, 2, False)
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_bulk_cancel_confirm__unknown_import__404(client, login):
    login(permissions.OPERATORS)

    assert (
        client.get(
            reverse("admin:bulk_cancel_confirm"), {"import_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12}
        ).status_code
        == 404
    )


def _page(client, url, language="en", **data):
    return (
        client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
        if data
        else client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    )


def _selected(html: str) -> list[str]:
    return re.findall(r'<tr class="bulk-selected" data-enrollment="([0-9a-f-]{36})">', html)


def test_bulk_cancel_confirm__selection__lists_who_is_canceled_with_cpf_course_and_status(client, login):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    with_cpf = make_person(cpf=make_cpf(formatted=False))
    ids = [
        enroll(tenant_id=company.id, course_id=course.id, user=p, author=STAFF).id for p in (with_cpf, make_person())
    ]
    login(permissions.OPERATORS)

    html = client.post(reverse("admin:bulk_cancel_confirm"), {"enrollment": ids}).content.decode()

    assert _selected(html) == ids
    row = html.split(f'data-enrollment="{ids[0]}">', 1)[1].split("</tr>", 1)[0]
    assert with_cpf.name in row and with_cpf.email in row and format_cpf(with_cpf.cpf) in row
    assert course.name in row and "Pending (not accessed yet)" in row
    assert 'id="bulk-more"' not in html


@pytest.mark.parametrize(
    "language, count, more",
    [
        ("en", "4 enrollments will be canceled.", "…and 2 more enrollments."),
        ("pt-br", "4 matrículas serão canceladas.", "…e mais 2 matrículas."),
    ],
)
def test_bulk_cancel_confirm__selection_past_the_names_shown__names_the_first_and_counts_the_rest(
    client, login, monkeypatch, language, count, more
):
    monkeypatch.setattr(bulk_views, "SELECTION_SHOWN", 2)
    _company, ids = _enrollments(4)
    login(permissions.OPERATORS)

    html = client.post(
        reverse("admin:bulk_cancel_confirm"), {"enrollment": ids}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert _selected(html) == ids[:2]
    assert f'<p id="bulk-count">{count}</p>' in html and f'id="bulk-more">{more}</p>' in html


def test_bulk_cancel_confirm__one_more__singular(client, login, monkeypatch):
    monkeypatch.setattr(bulk_views, "SELECTION_SHOWN", 2)
    _company, ids = _enrollments(3)
    login(permissions.OPERATORS)

    html = client.post(
        reverse("admin:bulk_cancel_confirm"), {"enrollment": ids}, HTTP_ACCEPT_LANGUAGE="pt-br"
    ).content.decode()

    assert 'id="bulk-more">…e mais 1 matrícula.</p>' in html


@pytest.mark.parametrize("language, header", [("en", ("Person", "Course")), ("pt-br", ("Pessoa", "Curso"))])
def test_bulk_cancel_detail__done__each_result_names_the_person_and_course_linking_to_the_enrollment(
    client, login, language, header
):
    company, course = make_company(), make_course()
    make_order(company, course, seats=1)
    person = make_person(cpf=make_cpf(formatted=False))
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)
    job_id = str(uuid.uuid4())
    bulk_services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=[enrollment.id], reason="Wrong", author=STAFF, enqueue=lambda *_: None
    )
    job_services.job_run_inline(BULK_CANCEL, job_id=job_id)
    login(permissions.VIEWERS)

    html = _page(client, reverse("admin:bulk_cancel_detail", args=[job_id]), language).content.decode()

    row = html.split(f'data-enrollment="{enrollment.id}">', 1)[1].split("</tr>", 1)[0]
    url = reverse("admin:enrollment_detail", args=[enrollment.id])
    assert f'<a href="{url}" class="person-name">{person.name}</a>' in row
    assert person.email in row and format_cpf(person.cpf) in row
    assert f'<td class="bulk-course">{course.name}</td>' in row
    assert '<th scope="col">{}</th><th scope="col">{}</th>'.format(*header) in html
    assert enrollment.id not in row.replace(url, "").replace(f'data-enrollment="{enrollment.id}"', "")


def test_bulk_cancel_detail__results_stored_before_names__show_the_id_linking_to_the_enrollment(client, login):
    _company, (enrollment_id,) = _enrollments(1)
    job_id = str(uuid.uuid4())
    bulk_services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=[enrollment_id], reason="Wrong", author=STAFF, enqueue=lambda *_: None
    )
    job_services.job_run_inline(BULK_CANCEL, job_id=job_id)
    # As an earlier version stored it: no person beside the result.
    stored = BulkCancelResultItem.get(*keys.bulk_cancel_result(job_id, 0))
    stored.rows = [row[:3] for row in stored.rows]
    stored.save()
    login(permissions.VIEWERS)

    html = client.get(reverse("admin:bulk_cancel_detail", args=[job_id])).content.decode()

    url = reverse("admin:enrollment_detail", args=[enrollment_id])
    row = html.split(f'data-enrollment="{enrollment_id}">', 1)[1].split("</tr>", 1)[0]
    assert f'<a href="{url}">{enrollment_id}</a>' in row and '<td class="bulk-course">—</td>' in row


@pytest.mark.parametrize("language, words", [("en", "Import of equipe.csv"), ("pt-br", "Importação de equipe.csv")])
def test_bulk_cancel_confirm_and_detail__of_an_import__name_its_people_and_the_import_by_its_file(
    client, login, no_queue, language, words
):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    csv = f"nome;email;curso\nAna;ana.{company.id}@example.com;{course.id}\nBia;bia.{company.id}@example.com;{course.id}\n"
    job = import_services.import_start(
        file=io.BytesIO(csv.encode()), file_name="equipe.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    login(permissions.OPERATORS)
    link = f"{reverse('admin:bulk_cancel_confirm')}?import_id={job.job_id}"

    page = _page(client, link, language).content.decode()
    assert _selected(page) == bulk_selectors.import_enrollment_ids(job.job_id)
    assert ">Ana</span>" in page and ">Bia</span>" in page
    token = _token(page)
    client.post(
        reverse("admin:bulk_cancel_confirm"), {"token": token, "reason": "Wrong company", "import_id": job.job_id}
    )

    detail = _page(client, reverse("admin:bulk_cancel_detail", args=[token]), language).content.decode()
    import_url = reverse("admin:import_detail", args=[job.job_id])
    assert f'<a href="{import_url}" id="bulk-import">{words}</a>' in detail
