"""Enrollment pages: list, enroll, detail, cancel, record completion."""

import io
import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats

from enrollments import labels, permissions, selectors
from enrollments.bulk_cancel import selectors as bulk_selectors
from enrollments.bulk_cancel import services as bulk_services
from enrollments.bulk_cancel.kind import BULK_CANCEL
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.services import cancel, company_create, enroll, record_access
from enrollments.services.common import audit_event
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person
from enrollments.tests.lifecycle_support import make_enrollment, record
from enrollments.validators import format_cpf, normalize_cpf
from scripts.dynamodb_local import free_port

pytestmark = pytest.mark.django_db


def _enroll_data(catalog, **overrides):
    token = uuid.uuid4().hex[:8]
    data = {
        "company": catalog["company"].sk,
        "course": catalog["course"].sk,
        "name": f"Ana {token}",
        "email": f"ana.{token}@example.com",
        "cpf": "",
        "deduplication_window_days": "",
        "enrollment_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def _text(response) -> str:
    return response.content.decode()


# Enroll ------------------------------------------------------------------------


def test_enroll_form__prepaid_company_chosen__courses_show_seats_left(client, login, catalog):
    login(permissions.OPERATORS)

    page = _text(client.get(reverse("admin:enrollment_add") + f"?company={catalog['company'].sk}"))

    assert f"{catalog['course'].name} — 3 seats left" in page


@pytest.mark.parametrize(("language", "seats"), [("en", "1,500 seats left"), ("pt-br", "1.500 vagas restantes")])
def test_enroll_form__thousands_of_seats_left__count_written_as_the_language_writes_numbers(
    client, login, language, seats
):
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=1_500)
    login(permissions.OPERATORS)

    page = _text(client.get(reverse("admin:enrollment_add") + f"?company={company.id}", HTTP_ACCEPT_LANGUAGE=language))

    assert f"{course.name} — {seats}" in page


def test_enroll_form__valid__enrolls_and_redirects_to_detail_with_four_records(client, login, catalog, frozen_clock):
    login(permissions.OPERATORS)
    cpf = make_cpf()
    data = _enroll_data(catalog, cpf=cpf, deduplication_window_days="10")

    response = client.post(reverse("admin:enrollment_add"), data, follow=True)

    page = _text(response)
    partition = selectors.enrollment_partition(data["enrollment_id"])
    assert response.redirect_chain == [(reverse("admin:enrollment_detail", args=[data["enrollment_id"]]), 302)]
    assert (
        partition.enrollment.user.cpf == normalize_cpf(cpf)
        and partition.enrollment.created_by.name == "Staff Operators"
    )
    assert page.count('class="lifecycle-record"') == 4  # the welcome and three reminders
    assert [record.event for record in partition.schedules if record.due_at == partition.enrollment.created_at] == [
        "welcome"
    ]
    assert f"{data['name']} is enrolled in {catalog['course'].name}." in page
    assert selectors.seats_left(tenant_id=catalog["company"].sk, course_id=catalog["course"].sk) == 2


def test_enroll_form__sent_twice__second_goes_to_the_first_enrollment(client, login, catalog):
    login(permissions.OPERATORS)
    data = _enroll_data(catalog)
    client.post(reverse("admin:enrollment_add"), data)

    response = client.post(reverse("admin:enrollment_add"), data)

    assert response["Location"] == reverse("admin:enrollment_detail", args=[data["enrollment_id"]])
    assert selectors.seats_left(tenant_id=catalog["company"].sk, course_id=catalog["course"].sk) == 2


def test_enroll_form__inside_window__shows_conflict_in_words_and_keeps_input(client, login, catalog, frozen_clock):
    login(permissions.OPERATORS)
    first = _enroll_data(catalog, deduplication_window_days="10")
    client.post(reverse("admin:enrollment_add"), first)
    again = _enroll_data(catalog, name="Ana Again", email=first["email"])

    response = client.post(reverse("admin:enrollment_add"), again)

    page = _text(response)
    assert response.status_code == 200
    # 90 - 10 = 80 days after 2026-03-02 12:00 UTC, in America/Sao_Paulo, en-us format.
    assert f"Already enrolled in this course until 05/21/2026 — see enrollment {first['enrollment_id']}." in page
    assert reverse("admin:enrollment_detail", args=[first["enrollment_id"]]) in page
    assert f'value="{first["email"]}"' in page and 'value="Ana Again"' in page


def test_enroll_form__no_seat_left__says_buy_an_order(client, login):
    login(permissions.OPERATORS)
    company, course = make_company(billing="prepaid"), make_course()

    response = client.post(reverse("admin:enrollment_add"), _enroll_data({"company": company, "course": course}))

    page = _text(response)
    assert f"No seats left for {course.name} at {company.name}: buy an order." in page
    assert reverse("admin:order_add") in page


def test_enroll_form__bad_cpf__error_on_the_cpf_field(client, login, catalog):
    login(permissions.OPERATORS)

    response = client.post(reverse("admin:enrollment_add"), _enroll_data(catalog, cpf="123.456.789-00"))

    assert response.context["form"].errors["cpf"] == ["123.456.789-00 is not a valid CPF (check digits do not match)."]


def test_enroll_form__window_too_long__error_on_the_window_field(client, login, catalog):
    login(permissions.OPERATORS)

    response = client.post(reverse("admin:enrollment_add"), _enroll_data(catalog, deduplication_window_days="90"))

    assert (
        "deduplication window must be a whole number of days from 0 to 89"
        in response.context["form"].errors["deduplication_window_days"][0]
    )


@pytest.mark.parametrize(
    ("language", "limits"),
    [
        ("en", "from 0 to 1,094 (the course's access period is 1,095 days)."),
        ("pt-br", "de 0 a 1.094 (o prazo de acesso do curso é de 1.095 dias)."),
    ],
)
def test_enroll_form__window_longer_than_a_long_course__limits_written_as_the_language_writes_numbers(
    client, login, language, limits
):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=1_095)
    login(permissions.OPERATORS)
    data = {**_enroll_data({"company": company, "course": course}), "deduplication_window_days": "2000"}

    response = client.post(reverse("admin:enrollment_add"), data, HTTP_ACCEPT_LANGUAGE=language)

    assert response.context["form"].errors["deduplication_window_days"][0].endswith(limits)


# List ---------------------------------------------------------------------------


def test_list__search_by_email__finds_the_person(client, login, enrollment):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_list"), {"q": enrollment.user.email.upper()})

    assert [item.id for item in response.context["page"].items] == [enrollment.id]
    assert response.context["page"].index == "by_email"


def test_list__search_by_formatted_cpf__finds_the_person(client, login, catalog):
    login(permissions.VIEWERS)
    enrolled = enroll(
        tenant_id=catalog["postpaid"].sk,
        course_id=catalog["course"].sk,
        user=make_person(cpf=(cpf := make_cpf())),
        author=STAFF,
    )

    response = client.get(reverse("admin:enrollment_list"), {"q": cpf})

    assert enrolled.id in [item.id for item in response.context["page"].items]
    assert response.context["page"].index == "by_cpf"


@pytest.mark.parametrize("typed", ["bare", "punctuated"])
def test_list__search_by_cpf_with_or_without_punctuation__finds_the_person_shown_punctuated(
    client, login, catalog, typed
):
    login(permissions.VIEWERS)
    cpf = make_cpf(formatted=False)
    shown = format_cpf(cpf)
    enrolled = enroll(
        tenant_id=catalog["postpaid"].sk, course_id=catalog["course"].sk, user=make_person(cpf=cpf), author=STAFF
    )

    response = client.get(reverse("admin:enrollment_list"), {"q": cpf if typed == "bare" else shown})

    page = response.context["page"]
    assert [item.id for item in page.items] == [enrolled.id] and page.index == "by_cpf"
    assert f'<td class="cpf"><span class="nowrap">{shown}</span></td>' in _text(response)


def test_list__search_by_a_word_of_the_name__finds_the_person_case_and_accents_ignored(client, login, catalog):
    login(permissions.VIEWERS)
    family = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:10])
    enrolled = enroll(
        tenant_id=catalog["postpaid"].sk,
        course_id=catalog["course"].sk,
        user=make_person(name=f"Maria Conceição {family}"),
        author=STAFF,
    )

    response = client.get(
        reverse("admin:enrollment_list"), {"q": f"CONCEI {family}", "company": catalog["postpaid"].sk}
    )

    page = response.context["page"]
    assert [item.id for item in page.items] == [enrolled.id] and page.index == "by_tenant_name"
    assert f"Maria Conceição {family}" in _text(response)


@pytest.mark.parametrize("typed", ["j", "!!!", "a b c", "111.444.777-3"])
def test_list__search_too_short_for_a_name_or_a_broken_cpf__says_what_to_type(client, login, typed):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_list"), {"q": typed})

    assert response.status_code == 200 and response.context["page"] is None
    text = _text(response)
    assert (
        "Type at least 2 letters of a name, a whole email address or an 11-digit CPF." in text
        or "Type a whole email address or an 11-digit CPF." in text
    )


@pytest.mark.parametrize(
    "typed",
    ["x" * 254, "a" * 255, "ção " * 60, "\u0301\u0301ab", "%00ab", "ﷺ" * 200, "a\x00b", "ab" + "#" * 200],
)
def test_list__hostile_search__answers_a_page_or_an_error_never_a_500(client, login, typed):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_list"), {"q": typed})

    assert response.status_code == 200


def test_list__search_in_portuguese__says_what_to_type_in_portuguese(client, login):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_list"), {"q": "j"}, HTTP_ACCEPT_LANGUAGE="pt-br")

    assert "Digite ao menos 2 letras de um nome" in _text(response)


def test_list__next_page_links__walk_every_enrollment_once(client, login, monkeypatch):
    login(permissions.VIEWERS)
    company, course = make_company(billing="postpaid"), make_course()
    ids = [enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id for _ in range(5)]
    monkeypatch.setattr(selectors, "ENROLLMENT_PAGE_SIZE", 2)

    seen, url, pages = [], reverse("admin:enrollment_list") + f"?company={company.id}&status=PENDING", 0
    while url:
        response = client.get(url)
        seen += [item.id for item in response.context["page"].items]
        next_url = response.context["next_url"]
        url = reverse("admin:enrollment_list") + next_url if next_url else None
        pages += 1

    assert pages == 3 and sorted(seen) == sorted(ids) and len(seen) == 5


def test_list__edited_cursor__warns_and_shows_first_page(client, login, enrollment):
    login(permissions.VIEWERS)

    response = client.get(
        reverse("admin:enrollment_list"), {"company": enrollment.tenant_id, "cursor": "garbage"}, follow=True
    )

    assert "That page link is no longer valid" in _text(response)
    assert enrollment.id in [item.id for item in response.context["page"].items]


@pytest.mark.parametrize("group, shown", [(permissions.VIEWERS, False), (permissions.OPERATORS, True)])
def test_list__enroll_button__only_for_those_who_may_enroll(client, login, group, shown):
    login(group)

    page = _text(client.get(reverse("admin:enrollment_list")))

    assert (f'href="{reverse("admin:enrollment_add")}" class="addlink"' in page) is shown


@pytest.mark.parametrize("group, shown", [(permissions.VIEWERS, False), (permissions.OPERATORS, True)])
def test_detail__cancel_and_complete_buttons__only_for_operators(client, login, enrollment, group, shown):
    login(group)

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrollment.id])))

    assert ('id="cancel-link"' in page) is shown and ('id="complete-link"' in page) is shown


def test_detail__canceled__no_cancel_button_even_for_operators(client, login, enrollment):
    login(permissions.OPERATORS)
    cancel(enrollment_id=enrollment.id, reason="Gone", author=STAFF)

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrollment.id])))

    assert 'id="cancel-link"' not in page and 'id="complete-link"' not in page


# Detail -------------------------------------------------------------------------


def test_detail__cpf__punctuated(client, login, catalog):
    login(permissions.VIEWERS)
    enrolled = enroll(
        tenant_id=catalog["postpaid"].sk,
        course_id=catalog["course"].sk,
        user=make_person(cpf=make_cpf(formatted=False)),
        author=STAFF,
    )

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrolled.id])))

    assert f'CPF <span class="nowrap">{format_cpf(enrolled.user.cpf)}</span>' in page and enrolled.user.cpf not in page


def test_detail__shows_seat_window_timeline_and_audit(client, login, catalog, enrollment):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_detail", args=[enrollment.id]))

    page = _text(response)
    assert f"One seat of the {labels.order_name(catalog['order'])}" in page
    assert "One seat of the order of " in page and catalog["order"].order_id not in page
    assert "10 days —" in page and "no second enrollment in this course until" in page
    assert [record.event for record in response.context["schedules"]] == [
        "welcome",
        "reminder_no_access_3_days",
        "access_period_reminder_30_days",
        "course_expired",
    ]
    assert page.count('class="lifecycle-record"') == 4 and page.count('class="audit-event"') == 1
    assert "Enrolled" in page and STAFF.name in page


def _audit_rows(page: str) -> list[list[str]]:
    """Return the audit trail's rows as the cells' text."""
    rows = re.findall(r'<tr class="audit-event">(.*?)</tr>', page, flags=re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def test_detail__renewal__enrolled_line_made_from_the_enrollment_with_author_source_and_renewed_one(
    client, login, catalog, frozen_clock
):
    login(permissions.VIEWERS)
    company, course = catalog["postpaid"].sk, catalog["course"].sk
    certificate = enroll(tenant_id=company, course_id=course, user=make_person(), author=STAFF)
    renewal = enroll(tenant_id=company, course_id=course, user=make_person(), author=STAFF, renews=certificate.id)

    page = _text(client.get(reverse("admin:enrollment_detail", args=[renewal.id])))

    when = formats.date_format(frozen_clock.start.astimezone(ZoneInfo("America/Sao_Paulo")), "SHORT_DATETIME_FORMAT")
    assert _audit_rows(page) == [
        [when, STAFF.name, "Enrolled", "", "Back-office form", f"renews enrollment {certificate.id}"]
    ]


def test_detail__enrolled_event_stored_before__one_enrolled_line(client, login, enrollment, frozen_clock):
    login(permissions.VIEWERS)
    # As enroll wrote it for every enrollment before issue 23.
    audit_event(enrollment_id=enrollment.id, at=frozen_clock.now, action="ENROLLED", author=STAFF, source="form").save()

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrollment.id])))

    assert [row[1:5] for row in _audit_rows(page)] == [[STAFF.name, "Enrolled", "", "Back-office form"]]


def test_detail__progress_and_completion__audit_in_words_not_codes(client, login, enrollment):
    login(permissions.OPERATORS)
    record_access(enrollment_id=enrollment.id, source="command")
    client.post(reverse("admin:enrollment_complete", args=[enrollment.id]), {"certificate_expires_on": "2099-01-01"})

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrollment.id])))

    assert "First access" in page and "Management command" in page and "Back-office staff" in page
    assert not re.search(r"<td>(command|staff|ACCESSED|COMPLETED)</td>", page)


def test_detail__pt_br__dates_in_sao_paulo_time_and_brazilian_format(client, login, catalog, frozen_clock):
    login(permissions.VIEWERS)
    enrolled = enroll(tenant_id=catalog["company"].sk, course_id=catalog["course"].sk, user=make_person(), author=STAFF)

    english = _text(client.get(reverse("admin:enrollment_detail", args=[enrolled.id])))
    portuguese = _text(client.get(reverse("admin:enrollment_detail", args=[enrolled.id]), HTTP_ACCEPT_LANGUAGE="pt-br"))

    # Enrolled 2026-03-02 12:00 UTC = 09:00 in São Paulo; access ends 90 days later.
    assert "03/02/2026 9 a.m." in english and "05/31/2026 9 a.m." in english
    assert "02/03/2026 09:00" in portuguese and "31/05/2026 09:00" in portuguese


def test_detail__email_failed__lifecycle_table_and_audit_say_the_cause_in_words_with_the_error_behind_it(
    client, login, lifecycle_time, smtp_settings, settings
):
    enrolled = make_enrollment()
    settings.EMAIL_PORT = free_port()  # nothing listens there: the welcome fails and waits for its next try
    lifecycle_time.tick(lifecycle_time.start)
    assert record(enrolled.id, "welcome").last_error_cause == "server_unreachable"
    login(permissions.VIEWERS)
    url = reverse("admin:enrollment_detail", args=[enrolled.id])

    english = _text(client.get(url))
    portuguese = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="pt-br"))

    cause = r'<details class="send-error" data-cause="server_unreachable">\s*<summary[^>]*>{}</summary>'
    for page, words in ((english, "Mail server unreachable"), (portuguese, "Servidor de e-mail inacessível")):
        (lifecycle_cell,) = [
            cell for cell in re.findall(r'<td class="last-error">(.*?)</td>', page, flags=re.S) if cell.strip()
        ]
        assert re.search(cause.format(words), lifecycle_cell) and "ConnectionRefusedError: " in lifecycle_cell
        # The audit event of the failed try gives its reason the same way.
        assert len(re.findall(cause.format(words), page)) == 2
    assert "Nosso servidor de e-mail não respondeu" in portuguese and "Mail server" not in portuguese


def test_detail__email_previews__each_record_s_email_as_sent_nothing_sent_nothing_claimed(
    client, login, catalog, enrollment, mailoutbox
):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_detail", args=[enrollment.id]))

    page = _text(response)
    events = ["welcome", "reminder_no_access_3_days", "access_period_reminder_30_days", "course_expired"]
    assert [record.event for record, _email in response.context["email_previews"]] == events
    assert page.count('class="email-preview"') == 4 and page.count('sandbox=""') == 4
    assert f"{enrollment.course.name}: welcome" in page  # the subjects
    assert f"{enrollment.course.name}: you have not started yet" in page
    assert f"Hello {enrollment.user.name}," in page and "Start the course: https://" in page  # the text part
    # The HTML part is each frame's own URL.
    for event in events:
        assert f'src="{reverse("admin:enrollment_email_html", args=[enrollment.id, event])}"' in page
    html = _text(client.get(reverse("admin:enrollment_email_html", args=[enrollment.id, "welcome"])))
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">') and f"Hello {enrollment.user.name}," in html
    assert mailoutbox == []
    assert [(r.state, r.attempts) for r in selectors.enrollment_partition(enrollment.id).schedules] == [
        ("PENDING", 0)
    ] * 4


def test_detail__email_previews__in_the_company_s_language_not_the_staff_s(client, login, frozen_clock):
    login(permissions.VIEWERS)
    company = company_create(name=f"Obras {uuid.uuid4().hex[:6]}", billing="postpaid", language="pt-br")
    enrolled = enroll(tenant_id=company.id, course_id=make_course().sk, user=make_person(), author=STAFF)

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrolled.id])))

    # Enrolled 2026-03-02 12:00 UTC; access ends 90 days later, on May 31 in São Paulo.
    html = _text(client.get(reverse("admin:enrollment_email_html", args=[enrolled.id, "course_expired"])))
    assert 'lang="pt-br" class="email-subject"' in page and '<html lang="pt-br">' in html
    assert "31 de maio de 2026" in page and "31 de maio de 2026" in html and "Maio" not in page + html
    assert "Email language" not in page and "Emails" in page  # the page itself stays in the staff's English


def test_detail__email_previews__names_escaped_in_the_page_and_in_the_html_part(client, login):
    login(permissions.VIEWERS)
    company = company_create(name="Obras", billing="postpaid", language="en")
    course = make_course(name="Safety & <Heights>")
    enrolled = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrolled.id])))

    html = _text(client.get(reverse("admin:enrollment_email_html", args=[enrolled.id, "welcome"])))
    assert "<Heights>" not in page and "<Heights>" not in html
    assert "Safety &amp; &lt;Heights&gt;: you have not started yet" in page  # subject and text part
    assert "Safety &amp; &lt;Heights&gt;" in html  # the HTML part, escaped as an email


def test_detail__unknown_id__404(client, login):
    login(permissions.VIEWERS)

    assert client.get(reverse("admin:enrollment_detail", args=[str(uuid.uuid4())])).status_code == 404


def test_email_html__its_own_policy__inline_styles_only_framed_by_the_site(client, login, enrollment):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_email_html", args=[enrollment.id, "welcome"]))

    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy and "sandbox" in policy and "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert 'style="' in _text(response)  # the inline styles that mail clients need


def test_email_html__event_the_enrollment_does_not_have__404(client, login, enrollment):
    login(permissions.VIEWERS)

    def status(enrollment_id, event):
        return client.get(reverse("admin:enrollment_email_html", args=[enrollment_id, event])).status_code

    assert status(enrollment.id, "course_archived") == 404 and status(str(uuid.uuid4()), "welcome") == 404


def test_email_html__staff_without_view_permission__403(client, login, enrollment):
    login()

    assert client.get(reverse("admin:enrollment_email_html", args=[enrollment.id, "welcome"])).status_code == 403


# Cancel -------------------------------------------------------------------------


def test_cancel_page__says_seat_returned_and_pending_emails_dropped(client, login, catalog, enrollment):
    login(permissions.OPERATORS)

    page = _text(client.get(reverse("admin:enrollment_cancel", args=[enrollment.id])))

    assert f"Its seat goes back to the {labels.order_name(catalog['order'])}" in page
    assert "4 pending emails are dropped." in page  # the welcome, not sent yet, and three reminders
    assert "The deduplication window is lifted" in page


def test_cancel_page__notify_the_learner__ticked_by_default(client, login, enrollment):
    login(permissions.OPERATORS)

    response = client.get(reverse("admin:enrollment_cancel", args=[enrollment.id]))

    assert response.context["form"]["notify_learner"].value() is True
    page = _text(response)
    box = re.search(r"<input[^>]*name=\"notify_learner\"[^>]*>", page).group(0)
    assert 'type="checkbox"' in box and "checked" in box
    assert "Notify the learner" in page and "the learner gets an email saying the enrollment was canceled" in page


def test_cancel_page__postpaid__says_no_seat_returned(client, login, catalog):
    login(permissions.OPERATORS)
    enrolled = enroll(
        tenant_id=catalog["postpaid"].sk, course_id=catalog["course"].sk, user=make_person(), author=STAFF
    )

    page = _text(client.get(reverse("admin:enrollment_cancel", args=[enrolled.id])))

    assert "No seat is returned: this enrollment used none." in page


def test_cancel__without_reason__form_error_and_nothing_canceled(client, login, enrollment):
    login(permissions.OPERATORS)

    response = client.post(reverse("admin:enrollment_cancel", args=[enrollment.id]), {"reason": "  "})

    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert selectors.enrollment_get(enrollment.id).status == "PENDING"


def test_cancel__with_reason__detail_shows_canceled_audit_and_seat_back(client, login, catalog, enrollment):
    user = login(permissions.OPERATORS)

    response = client.post(
        reverse("admin:enrollment_cancel", args=[enrollment.id]), {"reason": "Left the company"}, follow=True
    )

    page = _text(response)
    assert response.redirect_chain[-1][0] == reverse("admin:enrollment_detail", args=[enrollment.id])
    assert re.search(r'id="enrollment-status">Canceled<', page)
    assert f"Its seat went back to the {labels.order_name(catalog['order'])}. 4 pending emails dropped." in page
    assert "The learner gets an email saying so." not in page  # the box was not sent: unticked
    canceled = [event for event in response.context["audit"] if event.action == "CANCELED"]
    assert len(canceled) == 1 and canceled[0].reason == "Left the company" and canceled[0].author.id == str(user.pk)
    assert "Left the company" in page
    assert selectors.seats_left(tenant_id=catalog["company"].sk, course_id=catalog["course"].sk) == 3


@pytest.mark.parametrize("notify", [True, False])
def test_cancel__notify_the_learner__one_cancel_notice_on_the_next_tick_and_no_other_email(
    client, login, lifecycle_time, mailoutbox, notify
):
    t = lifecycle_time
    login(permissions.OPERATORS)
    company, course = make_company(billing="postpaid"), make_course(access_period_days=35)
    enrolled = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    form = {"reason": "Left the company", **({"notify_learner": "on"} if notify else {})}

    response = client.post(reverse("admin:enrollment_cancel", args=[enrolled.id]), form, follow=True)

    assert ("The learner gets an email saying so." in _text(response)) is notify
    for day in (0, 3, 5, 35):
        t.tick(t.start + timedelta(days=day))
    sent = [(m.to, m.extra_headers["X-Lifecycle-Event"]) for m in mailoutbox]
    assert sent == ([([enrolled.user.email], "cancel_notice")] if notify else [])
    if notify:
        mail = mailoutbox[0]
        assert enrolled.course.name in mail.subject and "was canceled" in mail.subject
        assert formats.date_format(t.start.astimezone(ZoneInfo(settings.TIME_ZONE)), "DATE_FORMAT") in mail.body


def test_cancel__already_canceled__clear_message_on_get_and_post(client, login, enrollment):
    login(permissions.OPERATORS)
    cancel(enrollment_id=enrollment.id, reason="First", author=STAFF)
    url = reverse("admin:enrollment_cancel", args=[enrollment.id])

    on_get = client.get(url, follow=True)
    on_post = client.post(url, {"reason": "Second"}, follow=True)

    for response in (on_get, on_post):
        assert f"Enrollment {enrollment.id} is already canceled." in _text(response)
    assert [e.reason for e in selectors.enrollment_partition(enrollment.id).audit if e.action == "CANCELED"] == [
        "First"
    ]


def test_cancel__canceled_between_page_and_click__service_message_shown(client, login, enrollment):
    """The page was open when someone else canceled: the POST reaches the service, which refuses."""
    login(permissions.OPERATORS)
    url = reverse("admin:enrollment_cancel", args=[enrollment.id])
    client.get(url)
    cancel(enrollment_id=enrollment.id, reason="Other tab", author=STAFF)

    response = client.post(url, {"reason": "Mine"}, follow=True)

    assert "is already canceled" in _text(response)


# Record completion ---------------------------------------------------------------


def test_complete__date__completes_and_schedules_certificate_records(client, login, enrollment, frozen_clock):
    login(permissions.OPERATORS)

    response = client.post(
        reverse("admin:enrollment_complete", args=[enrollment.id]),
        {"certificate_expires_on": "2027-03-02"},
        follow=True,
    )

    partition = selectors.enrollment_partition(enrollment.id)
    assert partition.enrollment.status == "COMPLETED"
    assert partition.enrollment.certificate_expires_at.startswith("2027-03-03T02:59:59")  # end of day in São Paulo
    assert sorted(r.event for r in partition.schedules) == [
        "cert_expiration_reminder_30_days",
        "course_archived",
        "renewal_window",
        "welcome",
    ]
    assert partition.cancel_policy is None
    assert "Completion recorded" in _text(response)


def test_complete__date_in_the_past__form_error(client, login, enrollment, frozen_clock):
    login(permissions.OPERATORS)

    response = client.post(
        reverse("admin:enrollment_complete", args=[enrollment.id]), {"certificate_expires_on": "2026-03-01"}
    )

    assert response.context["form"].errors["certificate_expires_on"] == ["The certificate must expire after today."]


def test_complete__canceled_enrollment__message_and_no_change(client, login, enrollment):
    login(permissions.OPERATORS)
    cancel(enrollment_id=enrollment.id, reason="Gone", author=STAFF)

    response = client.get(reverse("admin:enrollment_complete", args=[enrollment.id]), follow=True)

    assert "only a pending or in-progress enrollment can be completed" in _text(response)


# One person per CPF, active enrollments ------------------------------------------


def test_enroll_form__person_already_active__asks_for_enroll_again_then_enrolls(client, login, catalog):
    login(permissions.OPERATORS)
    data = _enroll_data(catalog, company=catalog["postpaid"].sk)
    client.post(reverse("admin:enrollment_add"), data)
    first = selectors.enrollment_get(data["enrollment_id"])
    again = {**data, "enrollment_id": str(uuid.uuid4())}

    refused = client.post(reverse("admin:enrollment_add"), again)

    form = refused.context["form"]
    assert "already has an active enrollment" in " ".join(form.non_field_errors())
    assert 'name="enroll_again"' in _text(refused) and 'type="checkbox"' in _text(refused)
    assert reverse("admin:enrollment_detail", args=[first.id]) in _text(refused)
    response = client.post(reverse("admin:enrollment_add"), {**again, "enroll_again": "on"})
    assert response.status_code == 302
    assert selectors.enrollment_get(again["enrollment_id"]).user.id == first.user.id


def test_enroll_form__cpf_of_another_person__names_her_and_offers_to_enroll_her(client, login, catalog):
    login(permissions.OPERATORS)
    cpf = make_cpf()
    owner = enroll(
        tenant_id=catalog["postpaid"].sk,
        course_id=make_course().sk,
        user=make_person(name="Maria Souza", cpf=cpf),
        author=STAFF,
    )
    data = _enroll_data(catalog, company=catalog["postpaid"].sk, cpf=cpf)

    refused = client.post(reverse("admin:enrollment_add"), data)

    page = _text(refused)
    assert refused.context["form"].errors["cpf"] == [
        f"CPF {cpf} belongs to Maria Souza ({owner.user.email}): use that email, or enroll Maria Souza."
    ]
    assert f"Enroll Maria Souza ({owner.user.email})" in page and 'name="as_cpf_owner"' in page
    response = client.post(reverse("admin:enrollment_add"), {**data, "as_cpf_owner": "on"})
    assert response.status_code == 302
    enrolled = selectors.enrollment_get(data["enrollment_id"])
    assert (enrolled.user.id, enrolled.user.email) == (owner.user.id, owner.user.email)


# Where an enrollment came from ---------------------------------------------------------------------------------


def _imported(catalog, file_name: str):
    """Import one person into the catalog's company from a file called ``file_name``; return the job and enrollment."""
    company, course = catalog["company"], catalog["course"]
    csv = f"nome;email;curso\nAna;ana.{uuid.uuid4().hex[:8]}@example.com;{course.sk}\n"
    job = import_services.import_start(
        file=io.BytesIO(csv.encode()), file_name=file_name, tenant_id=company.sk, author=STAFF, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    (enrollment_id,) = bulk_selectors.import_enrollment_ids(job.job_id)
    return job, selectors.enrollment_get(enrollment_id)


@pytest.mark.parametrize("language, words", [("en", "Import of equipe.csv"), ("pt-br", "Importação de equipe.csv")])
def test_detail__imported_enrollment__source_names_the_import_by_its_file_and_links_to_it(
    client, login, catalog, language, words
):
    login(permissions.VIEWERS)
    job, enrollment = _imported(catalog, "equipe.csv")

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrollment.id]), HTTP_ACCEPT_LANGUAGE=language))

    link = f'<a href="{reverse("admin:import_detail", args=[job.job_id])}" class="source-link">{words}</a>'
    # Once beside "Enrolled at", once on the audit trail's ENROLLED event.
    assert page.count(link) == 2
    assert enrollment.source == f"csv:{job.job_id}" and "csv:" not in page


def test_detail__bulk_canceled__audit_source_names_the_bulk_cancel_and_links_to_it(client, login, catalog, enrollment):
    login(permissions.VIEWERS)
    job_id = str(uuid.uuid4())
    bulk_services.bulk_cancel_start(
        job_id=job_id, enrollment_ids=[enrollment.id], reason="Wrong", author=STAFF, enqueue=lambda *_: None
    )
    job_services.job_run_inline(BULK_CANCEL, job_id=job_id)

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrollment.id]), HTTP_ACCEPT_LANGUAGE="pt-br"))

    url = reverse("admin:bulk_cancel_detail", args=[job_id])
    assert f'<a href="{url}" class="source-link">Cancelamento em massa</a>' in page
    assert "bulk_cancel:" not in page


def test_detail__source_of_an_import_no_longer_found__says_import_without_a_link_nor_the_stored_code(
    client, login, catalog
):
    login(permissions.VIEWERS)
    enrolled = enroll(
        tenant_id=catalog["company"].sk,
        course_id=catalog["course"].sk,
        user=make_person(),
        author=STAFF,
        source="csv:x",
    )

    page = _text(client.get(reverse("admin:enrollment_detail", args=[enrolled.id])))

    assert f"by {STAFF.name} (Import)</dd>" in page and "csv:x" not in page and "source-link" not in page
