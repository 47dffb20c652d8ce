"""Lifecycle emails in the company's language: every event in pt-BR and English, local dates in words."""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.dates import MONTHS

from enrollments import clock, rules
from enrollments.dynamo import keys
from enrollments.dynamo.models import CompanyItem
from enrollments.exceptions import InvalidEnrollmentData
from enrollments.services import company_create, enroll
from enrollments.services.emails import lifecycle_email_render
from enrollments.services.lifecycle import lifecycle_record
from enrollments.tests.factories import STAFF, make_course, make_person
from enrollments.tests.lifecycle_support import record

pytestmark = pytest.mark.django_db

# 01:30 UTC on the 28th is 22:30 on the 27th in São Paulo: the email shows the 27th.
DATE_ISO = "2027-11-28T01:30:00Z"
PT_DATE, EN_DATE = "27 de novembro de 2027", "Nov. 27, 2027"  # Django's English DATE_FORMAT abbreviates November

# The English subject (after the course name) and button of each event's email.
ENGLISH = {
    rules.WELCOME: ("welcome", "Start the course"),
    rules.REMINDER_NO_ACCESS_3_DAYS: ("you have not started yet", "Start the course"),
    rules.ACCESS_PERIOD_REMINDER_30_DAYS: ("30 days of access left", "Continue the course"),
    rules.COURSE_EXPIRED: ("your access has ended", "See the course"),
    rules.NO_ACTIVITY_7_DAYS: ("pick up where you left off", "Continue the course"),
    rules.CERT_EXPIRATION_REMINDER_30_DAYS: ("your certificate expires in 30 days", "See your certificate"),
    rules.COURSE_ARCHIVED: ("your certificate has expired", "See the course"),
    rules.CANCEL_NOTICE: ("your enrollment was canceled", "See the course"),
}


def _company(language: str | None):
    return company_create(name=f"Empresa {uuid.uuid4().hex[:6]}", billing="postpaid", language=language)


def _enrollment(company, *, person=None, course=None):
    """Enroll a person, with every date an email may show set (in memory) to ``DATE_ISO``."""
    enrollment = enroll(
        tenant_id=company.id, course_id=(course or make_course()).sk, user=person or make_person(), author=STAFF
    )
    enrollment.access_expires_at = enrollment.last_activity_at = enrollment.certificate_expires_at = DATE_ISO
    enrollment.canceled_at = DATE_ISO
    return enrollment


def _render(enrollment, event: str, *, language: str | None = None):
    """Render ``event``'s email of ``enrollment`` from a record in memory: nothing is stored or sent."""
    now = clock.now()
    scheduled = lifecycle_record(enrollment=enrollment, event=event, due_at=now + timedelta(days=1), now=now)
    return lifecycle_email_render(record=scheduled, enrollment=enrollment, language=language)


def _parts(email) -> tuple[str, str, str]:
    return email.subject, email.text, email.html


def _pt_catalog_has_the_emails() -> bool:
    with translation.override("pt-br"):
        return translation.gettext("Open the course") != "Open the course"


def test_every_event__has_its_english_words_here():
    assert set(ENGLISH) == set(rules.EVENTS)


@pytest.mark.parametrize("event", rules.EVENTS)
def test_email__english_company__english_words_lang_and_date(event):
    enrollment = _enrollment(_company("en"))

    email = _render(enrollment, event)

    subject_words, button = ENGLISH[event]
    assert email.language == "en" and '<html lang="en">' in email.html
    assert email.subject == f"{enrollment.course.name}: {subject_words}"
    assert email.text.startswith(f"Hello {enrollment.user.name},")
    assert f"{button}: " in email.text and f">{button}</a>" in email.html
    assert EN_DATE in email.text and f"<strong>{EN_DATE}</strong>" in email.html
    assert "Nov. 28" not in email.text  # the UTC day


@pytest.mark.parametrize("event", rules.EVENTS)
def test_email__pt_br_company__lang_and_local_date_with_lower_case_month(event):
    enrollment = _enrollment(_company("pt-br"))

    email = _render(enrollment, event)
    english = _render(enrollment, event, language="en")

    assert email.language == "pt-br" and '<html lang="pt-br">' in email.html
    assert PT_DATE in email.text and f"<strong>{PT_DATE}</strong>" in email.html
    assert "Novembro" not in email.text + email.html and "28 de novembro" not in email.text
    assert email.text != english.text and email.html != english.html
    assert enrollment.course.name in email.subject and enrollment.user.name in email.text


@pytest.mark.parametrize("language", ["pt-br", "en"])
@pytest.mark.parametrize("event", rules.EVENTS)
def test_email__no_template_code_left(event, language):
    email = _render(_enrollment(_company(language)), event)

    for part in _parts(email):
        assert "{%" not in part and "{{" not in part and "%}" not in part and "}}" not in part
        assert "%(" not in part  # a blocktranslate placeholder left unfilled


@pytest.mark.parametrize("event", rules.EVENTS)
def test_email__pt_br__no_english_sentence_left(event):
    if not _pt_catalog_has_the_emails():
        pytest.skip("the pt-BR catalog does not translate the emails yet")
    enrollment = _enrollment(_company("pt-br"))
    email = _render(enrollment, event)
    english = _render(enrollment, event, language="en")

    footer = f"{enrollment.tenant_name} · {enrollment.course.name}"
    english_lines = [line for line in english.text.splitlines() if line.strip() and line != footer]
    assert email.subject != english.subject
    assert [line for line in english_lines if line in email.text] == []
    assert ENGLISH[event][1] not in email.html


def test_email__escapes_html_part_only_in_both_languages():
    course = make_course(name="Safety & <Heights>")
    for language in ("pt-br", "en"):
        enrollment = _enrollment(_company(language), course=course, person=make_person(name="Ana D'Ávila"))

        email = _render(enrollment, rules.REMINDER_NO_ACCESS_3_DAYS)

        assert "Safety & <Heights>" in email.subject and "Safety & <Heights>" in email.text
        assert "Ana D'Ávila" in email.text
        assert "Safety &amp; &lt;Heights&gt;" in email.html and "<Heights>" not in email.html


# The company's language -------------------------------------------------------------


def _mails_by_event(outbox, enrollment, events: list[str]) -> list:
    """Return the one email of each of ``events`` sent to ``enrollment``'s learner, and check there is no other."""
    mails = [m for m in outbox if m.to == [enrollment.user.email]]
    assert sorted(m.extra_headers["X-Lifecycle-Event"] for m in mails) == sorted(events)
    return [next(m for m in mails if m.extra_headers["X-Lifecycle-Event"] == event) for event in events]


def test_company_create__language_en__learners_get_english_emails_from_the_worker(lifecycle_time, mailoutbox):
    t = lifecycle_time
    company = _company("en")
    enrollment = enroll(
        tenant_id=company.id, course_id=make_course(access_period_days=35).sk, user=make_person(), author=STAFF
    )

    t.tick(t.start + timedelta(days=3))

    welcome, mail = _mails_by_event(mailoutbox, enrollment, [rules.WELCOME, rules.REMINDER_NO_ACCESS_3_DAYS])
    html = mail.alternatives[0][0]
    assert mail.subject == f"{enrollment.course.name}: you have not started yet"
    assert '<html lang="en">' in html and "Start the course" in html and "Start the course" in mail.body
    assert mail.extra_headers["Content-Language"] == "en"
    assert record(enrollment.id, rules.REMINDER_NO_ACCESS_3_DAYS).state == "SENT"
    assert welcome.subject == f"{enrollment.course.name}: welcome" and welcome.extra_headers["Content-Language"] == "en"
    assert '<html lang="en">' in welcome.alternatives[0][0] and record(enrollment.id, rules.WELCOME).state == "SENT"


def test_company_create__language_pt_br__worker_sends_pt_br_with_local_date_month_in_lower_case(
    lifecycle_time, mailoutbox
):
    t = lifecycle_time
    company = _company("pt-br")
    enrollment = enroll(
        tenant_id=company.id, course_id=make_course(access_period_days=35).sk, user=make_person(), author=STAFF
    )

    t.tick(t.start + timedelta(days=3))

    ends = clock.from_iso(enrollment.access_expires_at).astimezone(ZoneInfo(settings.TIME_ZONE))
    with translation.override("pt-br"):
        month = str(MONTHS[ends.month])  # Django's own pt_BR name, capitalised: "Novembro"
    for mail in _mails_by_event(mailoutbox, enrollment, [rules.WELCOME, rules.REMINDER_NO_ACCESS_3_DAYS]):
        html = mail.alternatives[0][0]
        assert '<html lang="pt-br">' in html and mail.extra_headers["Content-Language"] == "pt-br"
        assert f"{ends.day} de {month.lower()} de {ends.year}" in mail.body and month not in mail.body + html


def test_company_create__no_language__the_site_language(settings):
    settings.LANGUAGE_CODE = "pt-br"

    assert _company(None).language == "pt-br"


def test_company_create__language_not_offered__refused_naming_the_field():
    with pytest.raises(InvalidEnrollmentData) as raised:
        _company("fr")

    assert raised.value.field == "language" and "fr" in raised.value.message


def test_company_written_without_a_language__emails_in_the_site_language_pt_br(settings):
    settings.LANGUAGE_CODE = "pt-br"
    company = _company("en")
    CompanyItem(*keys.company(company.id)).update(actions=[CompanyItem.language.remove()])  # as before languages
    enrollment = _enrollment(company)

    email = _render(enrollment, rules.COURSE_EXPIRED)

    assert email.language == "pt-br" and '<html lang="pt-br">' in email.html and PT_DATE in email.text
