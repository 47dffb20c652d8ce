"""The Imports section: job list, upload and preview, confirmation, a job's progress page."""

import codecs
import csv
import io
import re
import uuid

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from enrollments import permissions, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import EnrollmentItem
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports import uploads
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.jobs import tasks as job_tasks
from enrollments.jobs.states import DONE, RUNNING
from enrollments.permissions import sync_groups
from enrollments.tests.celery_support import queue_idle
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order
from enrollments.tests.imports.corpus import PNG
from enrollments.tests.imports.workbook_support import ole_file, truncated, workbook
from enrollments.tests.request_support import post_at_once

pytestmark = pytest.mark.django_db
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Stash uploads in this test's own folder."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture(autouse=True)
def imports_queue(settings):
    """Queue chunks on a queue of this test alone (no worker takes them), and drop it afterwards."""
    settings.IMPORTS_QUEUE = f"test-import-views-{uuid.uuid4().hex}"
    yield settings.IMPORTS_QUEUE
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(settings.IMPORTS_QUEUE)


@pytest.fixture
def seats():
    """A prepaid company with 3 seats of a course."""
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=3)
    return company, course


def _rows(company, course, count, *, start=0) -> bytes:
    return (
        "nome;email;curso\n"
        + "".join(f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}\n" for i in range(start, start + count))
    ).encode()


def _upload(client, company, data: bytes, *, name="people.csv", course="", window=""):
    return client.post(
        reverse("admin:import_add"),
        {
            "company": company.id,
            "course": course,
            "window_days": window,
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
    )


def _confirm(client, response, **extra):
    return client.post(reverse("admin:import_confirm"), {"token": response.context["token"], **extra})


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _waiting_tag(page) -> str:
    """Return the opening tag of the page's "waiting for the task queue" paragraph."""
    return re.search(r'<p [^>]*id="import-waiting"[^>]*>', page.content.decode()).group(0)


def _jobs_of(company) -> list:
    return import_selectors.import_job_list(tenant_id=company.id)


# Access.


@pytest.fixture
def finished_job():
    company, course = make_company(billing="postpaid"), make_course()
    job = import_services.import_start(
        file=io.BytesIO(_rows(company, course, 2)),
        file_name="done.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=None,
    )
    return job_services.job_run_inline(IMPORT, job_id=job.job_id)


# (url name, needs the job id, method, group lacking the permission, group holding it)
URLS = [
    ("import_list", False, "get", None, permissions.VIEWERS),
    ("import_detail", True, "get", None, permissions.VIEWERS),
    ("import_add", False, "get", permissions.VIEWERS, permissions.OPERATORS),
    ("import_add", False, "post", permissions.VIEWERS, permissions.OPERATORS),
    ("import_confirm", False, "post", permissions.VIEWERS, permissions.OPERATORS),
]
IDS = [f"{name}-{method}" for name, _job, method, *_rest in URLS]


def _url(name, needs_job, job):
    return reverse(f"admin:{name}", args=[job.job_id] if needs_job else [])


@pytest.mark.parametrize("name, needs_job, method, _lacking, _holding", URLS, ids=IDS)
def test_import_url__anonymous__redirects_to_login(client, finished_job, name, needs_job, method, _lacking, _holding):
    url = _url(name, needs_job, finished_job)

    response = getattr(client, method)(url)

    assert response.status_code == 302 and response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("name, needs_job, method, lacking, _holding", URLS, ids=IDS)
def test_import_url__without_permission__403_page(
    client, login, finished_job, name, needs_job, method, lacking, _holding
):
    login(lacking)

    response = getattr(client, method)(_url(name, needs_job, finished_job))

    assert response.status_code == 403 and "Permission denied" in response.content.decode()


@pytest.mark.parametrize(
    "name, needs_job, _lacking, holding",
    [
        ("import_list", False, None, permissions.VIEWERS),
        ("import_detail", True, None, permissions.VIEWERS),
        ("import_add", False, permissions.VIEWERS, permissions.OPERATORS),
    ],
)
def test_import_page__with_permission__200(client, login, finished_job, name, needs_job, _lacking, holding):
    login(holding)

    assert client.get(_url(name, needs_job, finished_job)).status_code == 200


def test_preview_failed_rows__anonymous__redirects_to_login(client):
    url = reverse("admin:import_preview_failed_rows", args=[uuid.uuid4().hex])

    response = client.get(url)

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_preview_failed_rows__viewer__403(client, login):
    login(permissions.VIEWERS)

    assert client.get(reverse("admin:import_preview_failed_rows", args=[uuid.uuid4().hex])).status_code == 403


def test_preview_failed_rows__token_not_of_this_session__404(client, login):
    login(permissions.OPERATORS)

    assert client.get(reverse("admin:import_preview_failed_rows", args=[uuid.uuid4().hex])).status_code == 404


def test_import_confirm__get__405(client, login):
    login(permissions.OPERATORS)

    assert client.get(reverse("admin:import_confirm")).status_code == 405


def test_import_detail__unknown_job__404(client, login):
    login(permissions.VIEWERS)

    assert client.get(reverse("admin:import_detail", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("name", ["import_add", "import_confirm"])
def test_import_forms__post_without_csrf_token__403(staff_user, seats, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user(permissions.OPERATORS))
    company, course = seats

    response = client.post(
        reverse(f"admin:{name}"),
        {
            "company": company.id,
            "token": uuid.uuid4().hex,
            "file": SimpleUploadedFile("a.csv", _rows(company, course, 1)),
        },
    )

    assert response.status_code == 403 and "CSRF" in response.content.decode()
    assert _jobs_of(company) == []


def test_import_section__operator__listed_on_the_admin_index_with_its_add_link(client, login):
    login(permissions.OPERATORS)

    page = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:import_list") in page and reverse("admin:import_add") in page


def test_import_section__viewer__listed_without_the_add_link(client, login):
    login(permissions.VIEWERS)

    page = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:import_list") in page and reverse("admin:import_add") not in page


# The job list.


def test_import_list__shows_recent_jobs_with_counts_and_links(client, login, finished_job):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:import_list"))

    page = response.content.decode()
    row = next(row for row in response.context["jobs"] if row["job"].job_id == finished_job.job_id)
    assert (row["job"].enrolled, row["errors"], row["job"].rows_total) == (2, 0, 2)
    assert finished_job.tenant_name in page and "done.csv" in page and STAFF.name in page
    assert reverse("admin:import_detail", args=[finished_job.job_id]) in page
    assert reverse("admin:import_report_download", args=[finished_job.job_id]) in page


# Upload and preview.


def test_import_add__valid_file__shows_totals_and_writes_nothing(client, login, seats, upload_dir):
    company, course = seats
    login(permissions.OPERATORS)
    data = (
        _rows(company, course, 2)
        + f"Sem Email;;{course.id}\nPessoa 1;p1.{company.id}@example.com;{course.id}\n".encode()
    )

    response = _upload(client, company, data)

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.rows_total, preview.to_enroll, preview.invalid, preview.duplicates, preview.seats_to_use) == (
        4,
        2,
        1,
        1,
        2,
    )
    page = response.content.decode()
    assert 'id="total-to-enroll">2<' in page and 'id="total-seats">2<' in page and 'class="seats-short"' not in page
    assert [(row.line, row.status) for row in response.context["problem_rows"]] == [(4, "invalid"), (5, "duplicate")]
    assert 'name="csrfmiddlewaretoken"' in page and f'value="{response.context["token"]}"' in page
    assert _jobs_of(company) == [] and not any(
        EnrollmentItem.by_tenant.count(shard) for shard in keys.tenant_shards(company.id)
    )
    assert [path.name for path in upload_dir.iterdir()] == [f"{response.context['token']}.csv"]


def test_import_add__prepaid_more_rows_than_seats__says_how_many_short(client, login, seats):
    company, course = seats
    login(permissions.OPERATORS)

    response = _upload(client, company, _rows(company, course, 5))

    page = response.content.decode()
    assert response.context["preview"].seats_short == 2
    assert "2 short" in page and "2 seats short for" in page
    row = page.split(f'data-course="{course.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="needed">5<' in row and 'class="left">3<' in row and 'class="to-use">3<' in row


def test_import_add__error_rows__listed_with_line_and_message_and_downloadable(client, login, seats):
    company, course = seats
    login(permissions.OPERATORS)
    data = f"name,email,course\n=Evil,bad-email,{course.id}\nAna,ana.{company.id}@example.com,no-such-course\n".encode()

    response = _upload(client, company, data, name="fix me.csv")

    page = response.content.decode()
    assert 'data-line="2"' in page and 'data-line="3"' in page and "no-such-course" in page
    assert "nothing-to-enroll" in page and "confirm-form" not in page
    download = client.get(response.context["failed_rows_url"])
    assert download.status_code == 200 and 'filename="fix_me-failed-rows.csv"' in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]  # names and emails: never kept by a cache
    rows = _csv_rows(download)
    assert rows[0] == ["name", "email", "cpf", "course", "window days", "line", "error"]
    assert [(row[0], row[1], row[5]) for row in rows[1:]] == [
        ("'=Evil", "bad-email", "2"),
        ("Ana", f"ana.{company.id}@example.com", "3"),
    ]


def test_import_add__failed_rows_downloaded_in_pt_br__upload_again_with_the_same_rows(client, login, seats):
    company, course = seats
    login(permissions.OPERATORS)
    data = f"nome;email;cpf;curso\n=Evil;bad-email;52998224725;{course.id}\nBia;bia@;;{course.id}\n".encode()
    response = _upload(client, company, data, name="equipe.csv")

    download = client.get(response.context["failed_rows_url"], HTTP_ACCEPT_LANGUAGE="pt-br")

    failed = b"".join(download.streaming_content)
    assert failed.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(failed.decode("utf-8-sig")), delimiter=";"))
    assert [row[:4] for row in rows[1:]] == [
        ["'=Evil", "bad-email", "529.982.247-25", course.id],
        ["Bia", "bia@", "", course.id],
    ]
    again = _upload(client, company, failed, name="equipe-failed-rows.csv").context["preview"]
    assert [(row.line, row.raw.name, row.raw.email, row.raw.cpf, row.raw.course) for row in again.problem_rows] == [
        (2, "=Evil", "bad-email", "529.982.247-25", course.id),
        (3, "Bia", "bia@", "", course.id),
    ]


def test_import_add__page__links_the_template(client, login):
    login(permissions.OPERATORS)

    page = client.get(reverse("admin:import_add")).content.decode()

    assert f'href="{reverse("admin:import_template_download")}"' in page


@pytest.mark.parametrize(
    "language, limits",
    [("pt-br", "Até 1.024 MB e 100.000 linhas."), ("en", "Up to 1,024 MB and 100,000 rows.")],
)
def test_import_add__page__limits_written_with_the_languages_thousands_separator(
    client, login, settings, language, limits
):
    settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS = 1024 * 1024 * 1024, 100_000
    login(permissions.OPERATORS)

    page = client.get(reverse("admin:import_add"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert limits in page


def _template(client, language: str) -> tuple[str, str]:
    response = client.get(reverse("admin:import_template_download"), HTTP_ACCEPT_LANGUAGE=language)
    header, example = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    return header, example


@pytest.mark.parametrize("language, delimiter", [("pt-br", ";"), ("en", ",")])
def test_import_template__its_row_filled__previews_cleanly(client, login, seats, language, delimiter):
    company, course = seats
    login(permissions.OPERATORS)
    header, _example = _template(client, language)
    row = delimiter.join(["Ana Souza", f"ana.{company.id}@example.com", "111.444.777-35", course.id, "10"])

    response = _upload(client, company, f"\ufeff{header}\r\n{row}\r\n".encode(), name="modelo.csv")

    preview = response.context["preview"]
    assert (preview.file.delimiter, preview.rows_total, preview.to_enroll, preview.problem_rows) == (
        delimiter,
        1,
        1,
        [],
    )


def test_import_template__example_row_left_as_it_is__enrolls_no_one_even_with_a_default_course(client, login, seats):
    company, course = seats
    login(permissions.OPERATORS)
    header, example = _template(client, "pt-br")

    response = _upload(client, company, f"\ufeff{header}\r\n{example}\r\n".encode(), course=course.id)

    preview = response.context["preview"]
    assert (preview.rows_total, preview.to_enroll, preview.invalid) == (1, 0, 1)
    assert "000.000.000-00" in preview.problem_rows[0].message


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "The file is empty."),
        (PNG, "not a CSV text file"),
        (b"foo;bar\n1;2\n", "no column for name/nome, email/e-mail."),
    ],
    ids=["empty", "png_renamed_csv", "missing_columns"],
)
def test_import_add__refused_file__one_message_on_the_form_input_kept_nothing_stashed(
    client, login, seats, upload_dir, data, words
):
    company, course = seats
    login(permissions.OPERATORS)

    response = _upload(client, company, data, course=course.id, window="5")

    assert response.status_code == 200 and "preview" not in response.context
    form = response.context["form"]
    assert list(form.errors) == ["file"] and len(form.errors["file"]) == 1 and words in form.errors["file"][0]
    assert response.content.decode().count('class="errorlist') == 1
    assert (form["company"].value(), form["course"].value(), form["window_days"].value()) == (
        company.id,
        course.id,
        "5",
    )
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []
    assert _jobs_of(company) == []


def test_import_add__over_the_row_limit__refused_with_one_message(client, login, seats, settings):
    settings.IMPORT_MAX_ROWS = 3
    company, course = seats
    login(permissions.OPERATORS)

    response = _upload(client, company, _rows(company, course, 4))

    assert list(response.context["form"].errors) == ["file"] and "preview" not in response.context


def test_import_add__window_too_long_for_the_default_course__error_on_the_window_field(client, login, seats):
    company, course = seats
    login(permissions.OPERATORS)

    response = _upload(client, company, _rows(company, course, 1), course=course.id, window="1000")

    assert list(response.context["form"].errors) == ["window_days"]


# Confirm.


def test_import_confirm__starts_the_job_and_redirects_to_its_progress(client, login, seats, imports_queue, settings):
    company, course = seats
    user = login(permissions.OPERATORS)
    preview = _upload(client, company, _rows(company, course, 2))

    response = _confirm(client, preview)

    [job] = _jobs_of(company)
    assert response.status_code == 302 and response["Location"] == reverse("admin:import_detail", args=[job.job_id])
    assert (job.state, job.rows_total, job.author.id, job.file_name) == (RUNNING, 2, str(user.pk), "people.csv")
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(imports_queue) == job.chunks_total
    running = client.get(response["Location"]).content.decode()
    assert 'id="import-bar" max="100" value="0"' in running and 'id="import-result" hidden' in running
    assert reverse("admin:import_progress_json", args=[job.job_id]) in running
    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    page = client.get(response["Location"]).content.decode()
    assert 'id="count-enrolled">2<' in page and 'id="import-result" hidden' not in page
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


def test_import_confirm__sent_twice__one_job(client, login, seats):
    company, course = seats
    login(permissions.OPERATORS)
    preview = _upload(client, company, _rows(company, course, 1))

    first, second = _confirm(client, preview), _confirm(client, preview)

    assert len(_jobs_of(company)) == 1 and first["Location"] == second["Location"]


def test_import_confirm__token_of_another_session__back_to_the_upload_form(client, login, seats, upload_dir):
    company, course = seats
    login(permissions.OPERATORS)
    token = uploads.stash_upload(io.BytesIO(_rows(company, course, 1)))

    response = client.post(reverse("admin:import_confirm"), {"token": token})

    assert response.status_code == 302 and response["Location"] == reverse("admin:import_add")
    assert _jobs_of(company) == []


def test_import_same_file_again__warns_naming_the_earlier_job_and_needs_the_explicit_confirmation(client, login, seats):
    company, course = seats
    login(permissions.OPERATORS)
    data = _rows(company, course, 2)
    earlier = import_services.import_start(
        file=io.BytesIO(data), file_name="first.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=earlier.job_id)

    preview = _upload(client, company, data, window="10")

    page = preview.content.decode()
    assert 'id="same-file-warning"' in page and earlier.job_id in page
    assert reverse("admin:import_detail", args=[earlier.job_id]) in page and 'name="again"' in page
    refused = _confirm(client, preview)
    assert refused.status_code == 200 and 'id="confirm-error"' in refused.content.decode()
    assert earlier.job_id in refused.content.decode() and len(_jobs_of(company)) == 1

    accepted = _confirm(client, preview, again="1")

    assert accepted.status_code == 302 and len(_jobs_of(company)) == 2


@pytest.mark.django_db(transaction=True)
def test_import_confirm__same_file_again_sent_twice_at_once__one_job(client, login, seats):
    sync_groups()
    company, course = seats
    login(permissions.OPERATORS)
    data = _rows(company, course, 2)
    import_services.import_start(
        file=io.BytesIO(data), file_name="a.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    preview = _upload(client, company, data)

    responses = post_at_once(client, reverse("admin:import_confirm"), {"token": preview.context["token"], "again": "1"})

    jobs = _jobs_of(company)
    assert len(jobs) == 2  # the earlier import and one new one, not two
    new = next(job for job in jobs if job.file_name == "people.csv")
    assert [response.status_code for response in responses] == [302, 302]
    assert {response["Location"] for response in responses} == {reverse("admin:import_detail", args=[new.job_id])}


def test_import_confirm__task_queue_down__job_stored_waiting_and_the_page_says_so(client, login, seats, broker_down):
    company, course = seats
    login(permissions.OPERATORS)
    preview = _upload(client, company, _rows(company, course, 2))

    response = _confirm(client, preview)

    [job] = _jobs_of(company)
    assert response.status_code == 302 and response["Location"] == reverse("admin:import_detail", args=[job.job_id])
    assert job.state == RUNNING and job.queued_at is None
    page = client.get(response["Location"]).content.decode()
    assert "the task queue does not answer right now" in page and 'id="import-waiting"' in page
    assert 'id="import-waiting" style="padding: 0 10px" hidden' not in page
    # Confirming again (the page said nothing needs doing, but staff may) makes no second job.
    again = _confirm(client, preview)
    assert again["Location"] == response["Location"] and len(_jobs_of(company)) == 1


@pytest.mark.slow
def test_import_confirm__broker_down__page_says_queuing_failed_then_one_sweep_queues_it_and_a_worker_enrolls_it(
    client, login, seats, broker_down, workers
):
    company, course = seats
    login(permissions.OPERATORS)

    response = _confirm(client, _upload(client, company, _rows(company, course, 2)))

    [job] = _jobs_of(company)
    assert " hidden" not in _waiting_tag(client.get(response["Location"]))
    assert (job.state, job.queued_at, job.rows_done) == (RUNNING, None, 0) and queue_idle(workers.queue)
    workers.start()

    broker_down.restore()
    assert job.job_id in job_tasks.imports_resume_stalled()

    done = workers.wait_for(lambda: (found := import_selectors.import_job_get(job.job_id)).state == DONE and found)
    assert (done.enrolled, done.rows_done) == (2, 2)
    assert " hidden" in _waiting_tag(client.get(response["Location"]))


# Excel workbooks.


def test_import_xlsx__upload_named_sheet_preview_confirm__enrolls_with_sheet_row_numbers(
    client, login, seats, imports_queue
):
    company, course = seats
    login(permissions.OPERATORS)
    rows = [
        ["Cadastro"],
        ["Nome", "E-mail", "CPF", "Curso"],
        ["Ana", f"ana.{company.id}@example.com", int(make_cpf(formatted=False)), course.id],
        [],
        ["Bia", "not-an-email", None, course.id],
        ["Caio", f"caio.{company.id}@example.com", None, course.id],
    ]
    data = workbook({"Resumo": [["nada"]], "Pessoas": rows}, merged={"Pessoas": ["A1:D1"]})

    response = client.post(
        reverse("admin:import_add"),
        {
            "company": company.id,
            "sheet": "Pessoas",
            "file": SimpleUploadedFile("equipe.xlsx", data, content_type=XLSX_TYPE),
        },
    )

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.rows_total, preview.to_enroll, preview.invalid, preview.file.sheet) == (3, 2, 1, "Pessoas")
    assert [(row.line, row.status) for row in response.context["problem_rows"]] == [(5, "invalid")]
    failed = _csv_rows(client.get(reverse("admin:import_preview_failed_rows", args=[response.context["token"]])))
    assert [(row[1], row[-2]) for row in failed[1:]] == [("not-an-email", "5")]

    confirmed = _confirm(client, response)

    [job] = _jobs_of(company)
    assert confirmed.status_code == 302 and (job.file_name, job.rows_total, job.encoding) == ("equipe.xlsx", 3, "xlsx")
    job = job_services.job_run_inline(IMPORT, job_id=job.job_id)
    assert job.enrolled == 2 and selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1
    report = _csv_rows(client.get(reverse("admin:import_report_download", args=[job.job_id])))
    assert [(row[0], row[6]) for row in report[1:]] == [("3", "enrolled"), ("5", "invalid"), ("6", "enrolled")]


@pytest.mark.parametrize(
    "data, sheet, words",
    [
        (ole_file("EncryptedInfo", "EncryptedPackage"), "", "password-protected or in the old Excel format"),
        (truncated(workbook({"P": [["name", "email"], ["Ana", "ana@example.com"]]})), "", "damaged"),
        (workbook({"P": [["name", "email"], ["Ana", "ana@example.com"]]}), "Q", "no sheet named “Q”"),
    ],
    ids=["password_protected", "broken_zip", "unknown_sheet"],
)
def test_import_xlsx__refused_workbook__one_message_on_the_file_field(
    client, login, seats, upload_dir, data, sheet, words
):
    company, course = seats
    login(permissions.OPERATORS)

    response = client.post(
        reverse("admin:import_add"),
        {
            "company": company.id,
            "course": course.id,
            "sheet": sheet,
            "file": SimpleUploadedFile("equipe.xlsx", data, content_type=XLSX_TYPE),
        },
    )

    assert response.status_code == 200 and "preview" not in response.context
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and len(errors["file"]) == 1 and words in errors["file"][0]
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []
