"""The compliance report: counts per course and bucket, one person once by their latest enrollment, the people of
each count with their certificate reminder, the pages."""

from django.urls import reverse

from enrollments import permissions, rules
from enrollments.reports import selectors as reports


def test_compliance_counts__every_state_and_repeated_enrollments__each_person_once_by_latest(at_report_time):
    data = at_report_time

    rows = reports.compliance_counts(tenant_id=data.company.id, now=data.now)

    assert [row.course.id for row in rows] == [data.course.id]
    assert rows[0].counts == data.expected
    assert rows[0].total == 10  # the person with only canceled enrollments counts nowhere


def test_bucket_people__each_bucket__the_enrollment_that_decides_each_person(at_report_time):
    data = at_report_time
    found = {}
    for bucket in rules.BUCKETS:
        for enrollment in reports.bucket_people(
            tenant_id=data.company.id, course_id=data.course.id, bucket=bucket, now=data.now
        ):
            found[enrollment.id] = bucket

    assert sorted(found) == sorted(data.deciding.values())
    assert found[data.deciding["Repeat"]] == rules.STUDYING
    assert found[data.deciding["Renewal"]] == rules.VALID
    assert found[data.deciding["Expired"]] == rules.CERTIFICATE_EXPIRED


def test_certificate_reminders__expiring_people__sent_and_pending_in_one_batch_get(at_report_time, dynamodb_calls):
    data = at_report_time
    ids = [data.deciding["Expiring 30"], data.deciding["Expiring 60"], data.deciding["Not started"]]

    found = reports.certificate_reminders(ids)

    assert found[data.deciding["Expiring 30"]].state == rules.RECORD_SENT
    assert found[data.deciding["Expiring 60"]].state == rules.RECORD_PENDING
    assert data.deciding["Not started"] not in found
    assert [call.operation for call in dynamodb_calls] == ["BatchGetItem"]


def test_report_page__company_page_links_to_counts_that_link_to_their_people(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)

    company_page = client.get(reverse("admin:company_detail", args=[data.company.id])).content.decode()
    report_url = reverse("admin:compliance_report", args=[data.company.id])
    response = client.get(report_url)

    assert report_url in company_page
    assert response.status_code == 200
    cells = {bucket: count for bucket, count, _renew_url in response.context["rows"][0]["cells"]}
    assert cells == data.expected
    people_url = reverse("admin:compliance_people", args=[data.company.id, data.course.id, rules.STUDYING])
    assert people_url in response.content.decode()
    people = client.get(people_url)
    assert {enrollment.id for enrollment, _ in people.context["rows"]} == {
        data.deciding["Studying"],
        data.deciding["Repeat"],
    }


def test_picker_page__a_chosen_company__shows_its_report(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)

    empty = client.get(reverse("admin:compliance_index"))
    chosen = client.get(reverse("admin:compliance_index"), {"company": data.company.id})
    unknown = client.get(reverse("admin:compliance_index"), {"company": "nope"})

    assert empty.status_code == 200 and "rows" not in empty.context
    assert chosen.context["rows"][0]["total"] == 10
    assert unknown.status_code == 200 and unknown.context["form"].errors


def test_people_page__expiring_bucket__shows_each_reminder_state(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)

    page = client.get(reverse("admin:compliance_people", args=[data.company.id, data.course.id, rules.EXPIRING_30]))
    later = client.get(reverse("admin:compliance_people", args=[data.company.id, data.course.id, rules.EXPIRING_60]))

    assert [(e.id, r.state) for e, r in page.context["rows"]] == [(data.deciding["Expiring 30"], rules.RECORD_SENT)]
    assert "reminder-SENT" in page.content.decode()
    assert [r.state for _e, r in later.context["rows"]] == [rules.RECORD_PENDING]


def test_people_page__unknown_bucket_course_or_company__404(client, login, at_report_time):
    data = at_report_time
    login(permissions.VIEWERS)

    for args in (
        [data.company.id, data.course.id, "nope"],
        [data.company.id, "no-course", rules.VALID],
        ["no-company", data.course.id, rules.VALID],
    ):
        assert client.get(reverse("admin:compliance_people", args=args)).status_code == 404


def test_report_pages__staff_without_view__403(client, login, at_report_time):
    login()

    assert client.get(reverse("admin:compliance_index")).status_code == 403
    assert client.get(reverse("admin:compliance_report", args=[at_report_time.company.id])).status_code == 403
