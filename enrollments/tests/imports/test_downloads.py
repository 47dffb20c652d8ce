import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from enrollments import permissions
from enrollments.imports import services as import_services
from enrollments.tests.factories import STAFF, make_company, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    data = f"name,email,course\n@Evil,evil.{company.sk}@example.com,{course.sk}\nBad,bad,{course.sk}\n".encode()
    started = import_services.import_start(
        file=io.BytesIO(data), file_name="a.csv", tenant_id=company.sk, author=STAFF, enqueue=None
    )
    return import_services.import_run_inline(job_id=started.job_id)


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user(username="viewer", password="pw-viewer-1", is_staff=True)
    user.groups.add(Group.objects.get(name=permissions.VIEWERS))
    client.force_login(user)
    return client


def test_progress_json__staff__returns_the_progress(staff_client, job):
    response = staff_client.get(reverse("admin:import_progress_json", args=[job.job_id]))

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["processed"], body["total"], body["percent"], body["finished"]) == (
        "DONE",
        2,
        2,
        100,
        True,
    )
    assert body["counts"]["enrolled"] == 1 and body["counts"]["invalid"] == 1


def test_progress_json__not_staff__redirects_to_login(client, job):
    response = client.get(reverse("admin:import_progress_json", args=[job.job_id]))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_progress_json__staff_without_the_view_permission__403(client, job):
    client.force_login(get_user_model().objects.create_user(username="nobody", password="pw-nobody-1", is_staff=True))

    assert client.get(reverse("admin:import_progress_json", args=[job.job_id])).status_code == 403


def test_progress_json__dynamodb_down__503_not_a_server_error(staff_client, job, dynamodb_down):
    assert staff_client.get(reverse("admin:import_progress_json", args=[job.job_id])).status_code == 503


def test_progress_json__unknown_job__404(staff_client, frozen_clock):
    assert (
        staff_client.get(
            reverse("admin:import_progress_json", args=["00000000-0000-0000-0000-000000000000"])
        ).status_code
        == 404
    )


def test_report_download__streams_the_neutralized_report(staff_client, job):
    response = staff_client.get(reverse("admin:import_report_download", args=[job.job_id]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[:4] for row in rows] == [
        ["line", "name", "email", "result"],
        ["2", "'@Evil", rows[1][2], "enrolled"],
        ["3", "Bad", "bad", "invalid"],
    ]


def test_failed_rows_download__has_only_the_rows_not_enrolled(staff_client, job):
    response = staff_client.get(reverse("admin:import_failed_rows_download", args=[job.job_id]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "cpf", "course", "window days", "line", "error"]
    assert [(row[0], row[1], row[5]) for row in rows[1:]] == [("Bad", "bad", "3")]


@pytest.mark.parametrize(
    ("old", "name"),
    [
        ("progress.json", "admin:import_progress_json"),
        ("report.csv", "admin:import_report_download"),
        ("failed-rows.csv", "admin:import_failed_rows_download"),
    ],
)
def test_first_urls_of_an_import__redirect_to_the_imports_section(staff_client, job, old, name):
    response = staff_client.get(f"/imports/{job.job_id}/{old}")

    assert response.status_code == 302 and response["Location"] == reverse(name, args=[job.job_id])


@pytest.mark.parametrize(
    "name", ["admin:import_progress_json", "admin:import_report_download", "admin:import_failed_rows_download"]
)
def test_downloads_with_personal_data__never_stored_by_a_cache(staff_client, job, name):
    response = staff_client.get(reverse(name, args=[job.job_id]))

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
