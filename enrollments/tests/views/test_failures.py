"""The failed emails page: who sees it, who may send again, company filter and pages, and a second click."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from enrollments import clock, permissions, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import LifecycleFailureItem
from enrollments.services import cancel, enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_person
from enrollments.tests.lifecycle_support import audit_actions, record

pytestmark = pytest.mark.django_db

REMINDER = "reminder_no_access_3_days"


@pytest.fixture
def failed(lifecycle_time, smtp_settings):
    """Return a function that makes ``count`` failed first emails at ``company``, a minute apart."""
    t, sink = lifecycle_time, smtp_settings
    sink.refusals["refused"] = (550, "5.1.1 no such user")
    course = make_course(access_period_days=35)
    minutes = iter(range(10_000))

    def fail(company, count: int = 1) -> list:
        made = []
        for _ in range(count):
            minute = next(minutes)
            t.set(t.start + timedelta(minutes=minute))
            made.append(
                enroll(
                    tenant_id=company.id,
                    course_id=course.id,
                    user=make_person(email=f"refused.{uuid.uuid4().hex[:8]}@example.com"),
                    author=STAFF,
                    welcome=False,  # one failed email per enrollment: its no-access reminder
                )
            )
            t.tick(t.start + timedelta(days=3, minutes=minute))
        t.set(t.start + timedelta(days=4))
        return made

    return fail


def _messages(response) -> list[str]:
    """Return the messages the list page, where a send again redirects, showed."""
    return [str(message) for message in response.context["messages"]]


def _list(client, **params):
    return client.get(reverse("admin:failure_list"), params)


def test_failure_list__viewer__sees_each_failure_in_words_but_no_send_again(client, login, failed):
    company = make_company(billing="postpaid", name=f"Acme {uuid.uuid4().hex[:4]}")
    (enrollment,) = failed(company)
    login(permissions.VIEWERS)

    response = _list(client, company=company.id)

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:enrollment_detail", args=[enrollment.id]) in page
    assert "Reminder: no access after 3 days" in page and enrollment.user.email in page and company.name in page
    assert "550 5.1.1 no such user" in page
    assert 'name="failure"' not in page and 'id="resend-all"' not in page


def test_failure_list__enrollment_cell__names_the_person_linking_to_the_enrollment_not_its_id(client, login, failed):
    company = make_company(billing="postpaid")
    (enrollment,) = failed(company)
    login(permissions.VIEWERS)

    page = _list(client, company=company.id).content.decode()

    cell = page.split('class="failure-enrollment">', 1)[1].split("</th>", 1)[0]
    url = reverse("admin:enrollment_detail", args=[enrollment.id])
    assert f'<a href="{url}" class="person-name">{enrollment.user.name}</a>' in cell
    assert enrollment.course.name in cell and enrollment.id not in cell.replace(url, "")


@pytest.mark.parametrize("name", ["failure_resend", "failure_resend_all"])
def test_send_again__viewer__403_and_nothing_sent_again(client, login, failed, name):
    company = make_company(billing="postpaid")
    (enrollment,) = failed(company)
    (failure,) = selectors.lifecycle_failure_list(tenant_id=company.id)[0]
    login(permissions.VIEWERS)

    response = client.post(reverse(f"admin:{name}"), {"failure": failure.sk, "company": company.id})

    assert response.status_code == 403
    assert record(enrollment.id, REMINDER).state == "FAILED"


def test_failure_list__company_filter__its_failures_newest_first(client, login, failed):
    company, other = make_company(billing="postpaid"), make_company(billing="postpaid")
    made = failed(company, count=3)
    failed(other)
    login(permissions.OPERATORS)

    first = _list(client, company=company.id)
    rows = first.context["rows"]

    assert [failure.enrollment_id for failure, _name in rows] == [e.id for e in reversed(made)]
    assert first.context["next_url"] is None and 'id="resend-all"' in first.content.decode()


def test_failure_list__next_page_link__goes_on_where_the_page_ended(client, login, failed, monkeypatch):
    company = make_company(billing="postpaid")
    made = failed(company, count=3)
    monkeypatch.setattr(selectors, "FAILURE_PAGE_SIZE", 2)
    login(permissions.VIEWERS)

    first = _list(client, company=company.id)
    second = client.get(reverse("admin:failure_list") + first.context["next_url"])

    shown = [f.enrollment_id for f, _n in first.context["rows"]] + [f.enrollment_id for f, _n in second.context["rows"]]
    assert shown == [e.id for e in reversed(made)] and second.context["next_url"] is None
    assert second.context["first_url"] == f"?company={company.id}"


def test_send_again__operator__back_to_the_scheduler_once_and_a_second_click_says_so(client, login, failed):
    company = make_company(billing="postpaid")
    (enrollment,) = failed(company)
    (failure,) = selectors.lifecycle_failure_list(tenant_id=company.id)[0]
    login(permissions.OPERATORS)
    form = {"failure": failure.sk, "company": company.id}

    first = client.post(reverse("admin:failure_resend"), form, follow=True)
    second = client.post(reverse("admin:failure_resend"), form, follow=True)

    assert first.redirect_chain == [(f"{reverse('admin:failure_list')}?company={company.id}", 302)]
    assert _messages(first) == ["The email goes back to the scheduler and is sent again in a moment."]
    assert _messages(second) == ["This email was already sent again; it is no longer in the list."]
    assert record(enrollment.id, REMINDER).state == "PENDING"
    assert audit_actions(enrollment.id).count("LIFECYCLE_RESENT") == 1
    assert _list(client, company=company.id).context["rows"] == []


def test_send_again__get__not_allowed(client, login):
    login(permissions.OPERATORS)

    assert client.get(reverse("admin:failure_resend")).status_code == 405


def test_send_all_again__supervisor__sent_again_and_canceled_one_named_with_why(client, login, failed):
    company = make_company(billing="postpaid")
    made = failed(company, count=3)
    cancel(enrollment_id=made[0].id, reason="Left", author=STAFF)
    login(permissions.SUPERVISORS)

    response = client.post(reverse("admin:failure_resend_all"), {"company": company.id}, follow=True)
    again = client.post(reverse("admin:failure_resend_all"), {"company": company.id}, follow=True)

    said = _messages(response)
    assert said[0] == "2 emails go back to the scheduler and are sent again in a moment."
    assert said[1].startswith(f"Not sent again to {made[0].user.email}: The enrollment was canceled")
    assert _messages(again)[0] == "0 emails go back to the scheduler and are sent again in a moment."
    assert [record(e.id, REMINDER).state for e in made[1:]] == ["PENDING", "PENDING"]
    assert [f.enrollment_id for f, _n in _list(client, company=company.id).context["rows"]] == [made[0].id]


def test_failure_list__edited_cursor__first_page_with_a_warning(client, login, failed):
    company = make_company(billing="postpaid")
    failed(company)
    login(permissions.VIEWERS)

    response = _list(client, company=company.id, cursor="edited")

    assert len(response.context["rows"]) == 1
    assert _messages(response) == ["That page link is no longer valid; showing the first page."]


# The error cell: the cause in words, what to do and the error as recorded behind it (a <details>).


def _error_cells(page: str) -> list[str]:
    return re.findall(r'<td class="last-error">(.*?)</td>', page, flags=re.S)


def test_failure_list__english__the_cause_in_words_with_the_error_as_recorded_behind_it(client, login, failed):
    company = make_company(billing="postpaid")
    failed(company)
    login(permissions.VIEWERS)

    (cell,) = _error_cells(_list(client, company=company.id).content.decode())

    assert re.search(
        r'<details class="send-error" data-cause="address_refused">\s*<summary[^>]*>Address refused<', cell
    )
    assert "The recipient&#x27;s mail server says this address does not exist." in cell
    assert re.search(
        r"Error as recorded: <code[^>]*>recipient refused: refused\.\w+@example\.com 550 5\.1\.1 no such", cell
    )


def test_failure_list__pt_br__the_cause_and_what_to_do_in_portuguese(client, login, failed):
    company = make_company(billing="postpaid")
    failed(company)
    login(permissions.VIEWERS)

    page = client.get(reverse("admin:failure_list"), {"company": company.id}, HTTP_ACCEPT_LANGUAGE="pt-br")

    (cell,) = _error_cells(page.content.decode())
    assert re.search(r"<summary[^>]*>Endereço recusado</summary>", cell)
    assert "O servidor de e-mail do destinatário diz que este endereço não existe." in cell
    assert "Erro registrado:" in cell and "550 5.1.1 no such user" in cell
    assert "Address refused" not in cell and "does not exist" not in cell


def test_failure_list__failure_stored_before_causes_existed__its_text_classified_when_shown(client, login):
    company = make_company(billing="postpaid")
    now = clock.now_iso()
    enrollment_id = str(uuid.uuid4())
    LifecycleFailureItem(
        *keys.lifecycle_failure(failed_at=now, enrollment_id=enrollment_id, event=REMINDER),
        created_at=now,
        enrollment_id=enrollment_id,
        event=REMINDER,
        attempts=5,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        recipient_email="ana@example.com",
        tenant_id=company.id,
    ).save()
    login(permissions.VIEWERS)

    english = _error_cells(_list(client, company=company.id).content.decode())
    portuguese = _error_cells(
        client.get(
            reverse("admin:failure_list"), {"company": company.id}, HTTP_ACCEPT_LANGUAGE="pt-br"
        ).content.decode()
    )

    assert len(english) == len(portuguese) == 1
    assert ">Mail server unreachable</summary>" in english[0] and "[Errno 111] Connection refused" in english[0]
    assert ">Servidor de e-mail inacessível</summary>" in portuguese[0]
    assert "Peça à equipe técnica que o verifique" in portuguese[0]
