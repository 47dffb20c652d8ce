"""The eSocial code (table 28) in exports of certificates: the enrollment list's and the report's, CSV and xlsx,
read from the catalog once per export."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enrollments import permissions, rules
from enrollments.services import course_create
from enrollments.tests.factories import make_company
from enrollments.tests.renewal_support import certificate

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8")[1:]), delimiter=delimiter))


def _catalog_queries(calls) -> int:
    return sum(
        1
        for call in calls
        if call.operation == "Query" and {"S": "courses"} in call.request.get("ExpressionAttributeValues", {}).values()
    )


@pytest.fixture
def certificates(frozen_clock):
    """A company with certificates of a course with an eSocial code (NR-10: 1006) and of one without."""
    company = make_company(billing="postpaid")
    nr10 = course_create(name="NR-10", access_period_days=90, certificate_validity_days=730, esocial_code="1006")
    other = course_create(name="Brigada", access_period_days=90, certificate_validity_days=365)
    coded = [certificate(company, nr10, now=frozen_clock.now, expires_in=days) for days in (10, 20, 300)]
    plain = certificate(company, other, now=frozen_clock.now, expires_in=10)
    return company, nr10, coded, plain


def test_enrollment_list_export_csv__esocial_code_column_before_the_id_one_catalog_read(
    client, login, certificates, dynamodb_calls, frozen_clock
):
    company, nr10, coded, plain = certificates
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_export", args=["csv"]), {"company": company.id})

    rows = _csv(response, ",")
    assert rows[0][-2:] == ["eSocial code", "enrollment id"]
    codes = {row[-1]: row[-2] for row in rows[1:]}
    assert codes == {**{enrollment.id: "1006" for enrollment in coded}, plain.id: ""}
    # The catalog is read for the list's filter form and once for the codes, however many rows: a company of one
    # enrollment costs the same.
    reads = _catalog_queries(dynamodb_calls)
    single = make_company(billing="postpaid")
    certificate(single, nr10, now=frozen_clock.now, expires_in=10)
    dynamodb_calls.clear()
    client.get(reverse("admin:enrollment_export", args=["csv"]), {"company": single.id})
    assert reads == _catalog_queries(dynamodb_calls) == 2


def test_enrollment_list_export_csv__pt_br__header_in_portuguese(client, login, certificates):
    company, _nr10, _coded, _plain = certificates
    login(permissions.VIEWERS)

    response = client.get(
        reverse("admin:enrollment_export", args=["csv"]), {"company": company.id}, HTTP_ACCEPT_LANGUAGE="pt-br"
    )

    assert _csv(response, ";")[0][-2:] == ["código eSocial", "id da matrícula"]


def test_report_export_xlsx__expiring_count__the_code_as_text_one_catalog_read(
    client, login, certificates, dynamodb_calls
):
    company, nr10, coded, _plain = certificates
    login(permissions.VIEWERS)
    url = reverse("admin:compliance_export", args=[company.id, nr10.id, rules.EXPIRING_30, "xlsx"])

    response = client.get(url)

    sheet = load_workbook(io.BytesIO(_body(response))).worksheets[0]
    header, *body = list(sheet.iter_rows(values_only=True))
    assert header[-2:] == ("eSocial code", "enrollment id") and header[6:8] == ("situation", "certificate reminder")
    assert sorted((row[-1], row[-2]) for row in body) == sorted((e.id, "1006") for e in coded[:2])
    assert all(row[-2].data_type == "s" for row in sheet.iter_rows(min_row=2))  # "1006" stays text
    assert _catalog_queries(dynamodb_calls) == 1
