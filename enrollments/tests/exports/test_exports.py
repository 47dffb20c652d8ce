"""Exports of the enrollment list and of the report's lists: real files parsed back, streamed from the request or
written by a real Celery worker."""

import csv
import io
import time
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from enrollments import permissions, rules
from enrollments.exports import files as exports
from enrollments.exports import selectors as export_selectors
from enrollments.exports import services
from enrollments.jobs import states
from enrollments.jobs import tasks as job_tasks
from enrollments.tests.celery_support import queue_idle
from enrollments.validators import format_cpf


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response, delimiter: str) -> list[list[str]]:
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def _xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def test_report_export_csv__pt_br__semicolons_bom_neutralised_formula_and_formatted_cpf(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)
    url = reverse("admin:compliance_export", args=[data.company.id, data.course.id, rules.NOT_STARTED, "csv"])

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="pt-br")

    rows = _csv(response, ";")
    assert response["Content-Disposition"].startswith('attachment; filename="conformidade-')
    assert rows[0][:3] == ["nome", "email", "cpf"]
    assert len(rows) == 2
    assert rows[1][0] == "'=1+2 Not started"
    assert rows[1][6] == "Não iniciado"
    assert rows[1][-1] == data.deciding["Not started"]


def test_report_export_csv__english__commas_and_reminder_state(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)
    url = reverse("admin:compliance_export", args=[data.company.id, data.course.id, rules.EXPIRING_30, "csv"])

    response = client.get(url)

    rows = _csv(response, ",")
    assert response["Content-Disposition"].startswith('attachment; filename="compliance-')
    assert rows[0][6:8] == ["situation", "certificate reminder"]
    assert [row[7] for row in rows[1:]] == ["Sent"]


def test_enrollment_list_export_xlsx__cpf_text_dates_typed_formula_text_every_row(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)
    url = reverse("admin:enrollment_export", args=["xlsx"])

    response = client.get(url, {"company": data.company.id}, HTTP_ACCEPT_LANGUAGE="pt-br")

    sheet = _xlsx(_body(response))
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert 'filename="matriculas' in response["Content-Disposition"] and sheet.title == "Exportação"
    assert header[:3] == ("nome", "email", "cpf")
    assert len(body) == 14 and len({row[-1] for row in body}) == 14  # every enrollment of the company, once
    valid = next(row for row in body if row[-1] == data.deciding["Valid"])
    assert valid[2] == format_cpf(data.valid_cpf) and valid[2].startswith("0")
    assert isinstance(valid[6], datetime) and isinstance(valid[8], datetime) and isinstance(valid[9], date)
    cells = {cell.value: cell for cell in next(sheet.iter_rows(min_row=2, max_row=len(rows)), [])}
    assert cells  # the sheet is read back cell by cell too
    names = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    # A string cell, as it was typed: no apostrophe in front (only CSV needs one).
    assert names["=1+2 Not started"].data_type == "s"
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s"
        assert row[2].data_type == "s" or row[2].value is None
        assert row[6].is_date and row[6].number_format == "dd/mm/yyyy hh:mm"


def test_enrollment_list_export__with_the_list_filters__only_matching_rows(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)

    response = client.get(
        reverse("admin:enrollment_export", args=["csv"]),
        {"company": data.company.id, "status": rules.CANCELED, "cursor": "ignored"},
    )

    rows = _csv(response, ",")
    assert len(rows) == 1 + 3
    assert {row[5] for row in rows[1:]} == {"Canceled"}


def test_enrollment_list_export__invalid_filter__back_to_the_list_with_the_error(client, login, at_report_time):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_export", args=["csv"]), {"q": "j"})

    assert response.status_code == 302
    assert client.get(reverse("admin:enrollment_export", args=["pdf"])).status_code == 404


def test_enrollment_list__export_links_keep_the_filters(client, login, at_report_time):
    login(permissions.VIEWERS)

    page = client.get(reverse("admin:enrollment_list"), {"company": at_report_time.company.id}).content.decode()

    assert f"{reverse('admin:enrollment_export', args=['xlsx'])}?company={at_report_time.company.id}" in page


@pytest.mark.slow
def test_background_export__over_the_limit__a_worker_writes_the_file_once(
    client, login, at_report_time, workers, settings
):
    data = at_report_time
    settings.EXPORT_STREAM_MAX_ROWS = 3
    login(permissions.VIEWERS)
    workers.start()
    url = reverse("admin:enrollment_export", args=["xlsx"]) + f"?company={data.company.id}"

    confirm = client.get(url)
    token = confirm.context["form"]["token"].value()
    first = client.post(url, {"token": token})
    second = client.post(url, {"token": token})  # a double click starts nothing more

    assert confirm.status_code == 200 and "export-start" in confirm.content.decode()
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    workers.wait_for(lambda: export_selectors.export_progress(token)["finished"], timeout=120)
    progress = client.get(reverse("admin:export_progress_json", args=[token])).json()
    assert progress["state"] == states.DONE and progress["processed"] == progress["total"] == 14
    detail = client.get(first["Location"]).content.decode()
    download = client.get(reverse("admin:export_download", args=[token]))
    rows = list(_xlsx(_body(download)).iter_rows(values_only=True))
    assert reverse("admin:export_download", args=[token]) in detail
    assert len(rows) == 15 and len({row[-1] for row in rows[1:]}) == 14
    listings = [listing.job_id for listing in export_selectors.export_listings(since="0")]
    assert listings.count(token) == 1
    services.export_storage().delete(export_selectors.export_job_get(token).file_name)


@pytest.mark.slow
def test_background_export__broker_down__page_says_queuing_failed_then_one_sweep_queues_it_and_a_worker_writes_it(
    client, login, at_report_time, workers, broker_down, settings
):
    settings.EXPORT_STREAM_MAX_ROWS = 3
    login(permissions.VIEWERS)
    url = reverse("admin:enrollment_export", args=["csv"]) + f"?company={at_report_time.company.id}"
    token = client.get(url).context["form"]["token"].value()

    started = client.post(url, {"token": token})

    detail = client.get(started["Location"]).content.decode()
    assert "does not answer right now" in detail and "The export started" not in detail
    assert 'id="export-waiting">' in detail
    job = export_selectors.export_job_get(token)
    assert (job.state, job.queued_at) == (states.RUNNING, None) and queue_idle(workers.queue)
    assert client.get(reverse("admin:export_progress_json", args=[token])).json()["waiting"] is True
    workers.start()

    broker_down.restore()
    assert token in job_tasks.exports_sweep()["requeued"]

    workers.wait_for(lambda: export_selectors.export_progress(token)["finished"])
    progress = client.get(reverse("admin:export_progress_json", args=[token])).json()
    assert (progress["state"], progress["processed"], progress["waiting"]) == (states.DONE, 14, False)
    assert len(_csv(client.get(reverse("admin:export_download", args=[token])), ";")) == 15
    assert 'id="export-waiting" hidden' in client.get(started["Location"]).content.decode()
    services.export_storage().delete(export_selectors.export_job_get(token).file_name)


def test_exports_sweep__old_export__file_deleted_and_job_expired(at_report_time, settings, tmp_path):
    from datetime import timedelta

    from enrollments import clock
    from enrollments.tests.factories import STAFF

    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {**settings.STORAGES["exports"], "OPTIONS": {"location": str(tmp_path)}},
    }
    queued = []
    job_id = "00000000-0000-4000-8000-" + f"{int(time.time() * 1000) % 10**12:012d}"
    services.export_start(
        job_id=job_id,
        source="report",
        params={"tenant_id": at_report_time.company.id, "course_id": at_report_time.course.id, "bucket": "valid"},
        fmt="csv",
        total=0,
        language="en",
        author=STAFF,
        enqueue=lambda job_id, numbers: queued.append(job_id),
    )
    job = services.export_run(job_id=job_id)
    assert job.state == states.DONE and services.export_storage().exists(job.file_name)

    clock.set_now(at_report_time.now + timedelta(hours=settings.EXPORT_RETENTION_HOURS + 1))
    expired = services.exports_expire()

    assert job_id in expired
    assert not services.export_storage().exists(job.file_name)
    assert export_selectors.export_job_get(job_id).state == states.EXPIRED
    assert queued == [job_id]


def test_write__text_like_a_formula__csv_cell_neutralised_xlsx_string_cell_as_it_is():
    name = '=HYPERLINK("http://example.com/x","Clique")'
    header, rows = ("name", "=status"), [[name, "+1"], ["-2", "@SUM(A1)"]]
    csv_out, xlsx_out = io.BytesIO(), io.BytesIO()

    with translation.override("en"):
        exports.write(exports.CSV, header, iter(rows), csv_out)
        exports.write(exports.XLSX, header, iter(rows), xlsx_out)

    written = list(csv.reader(io.StringIO(csv_out.getvalue().decode("utf-8-sig"))))
    assert written == [["name", "'=status"], ["'" + name, "'+1"], ["'-2", "'@SUM(A1)"]]
    sheet = load_workbook(io.BytesIO(xlsx_out.getvalue())).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.value for cell in cells] == ["name", "=status", name, "+1", "-2", "@SUM(A1)"]
    assert {cell.data_type for cell in cells} == {"s"}
