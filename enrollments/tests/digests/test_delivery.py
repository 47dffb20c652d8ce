"""A compliance digest sent in this process, on DynamoDB Local and a real SMTP server, the clock frozen at each step:
each HR contact gets it once in their language with its spreadsheet and no link into the back office; retried,
failed and listed, sent again to those it did not reach."""

from datetime import timedelta

import pytest
from django.utils import translation

from enrollments import clock, labels, rules
from enrollments.digests import selectors, services
from enrollments.digests.contacts import contact_update
from enrollments.digests.emails import ATTACHMENT_HEADER
from enrollments.digests.selectors import DIGEST_BUCKETS
from enrollments.selectors import company_history
from enrollments.tests.digest_support import (
    add_contact,
    handed_out,
    local,
    parts,
    process,
    sheet_rows,
    subject,
    tick,
    turn_digest_on,
)
from enrollments.tests.factories import STAFF, make_company
from enrollments.tests.reports_support import report_company
from scripts.dynamodb_local import free_port

# Tables of its own: a tick reads every company and every active digest of the table.
pytestmark = pytest.mark.usefixtures("own_tables")

MONDAY_9 = local(2026, 11, 30, 9, 0)
TOKEN = "0b6f3a2e-5d1c-4c1e-9f7a-3a9f1e2d4c5b"


def test_digest_process__contacts_in_portuguese_and_english__each_gets_it_once_in_their_language_with_the_sheet(
    smtp_settings,
):
    report = report_company(MONDAY_9)
    company = report.company
    ana = add_contact(company, name="Ana RH", language="pt-br")
    bob = add_contact(company, name="Bob HR", language="en")
    add_contact(company, name="Not this one", receives_digest=False)
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company)
    tick(MONDAY_9)

    assert process(company, "2026-W49", MONDAY_9) == "sent"
    assert process(company, "2026-W49", MONDAY_9 + timedelta(minutes=10)) == "not_claimed"

    [to_ana] = smtp_settings.accepted_to(ana.email)
    [to_bob] = smtp_settings.accepted_to(bob.email)
    assert len([mail for mail in smtp_settings.accepted if mail.message["X-Compliance-Digest"]]) == 2
    assert subject(to_ana) == f"Resumo de conformidade de {company.name}: semana 49 de 2026 (30/11/2026 a 06/12/2026)"
    assert subject(to_bob) == f"Compliance digest of {company.name}: week 49 of 2026 (11/30/2026 to 12/06/2026)"
    portuguese, english = parts(to_ana.message), parts(to_bob.message)
    course = report.course.name
    # Valid 2, expiring 1 / 1 / 1, expired 1, in progress 2, not started 1; due for renewal (60-day window): 3.
    counts = [2, 1, 1, 1, 1, 2, 1]
    for language, text in (("pt-br", portuguese["text"]), ("en", english["text"])):
        with translation.override(language):
            lines = [
                f"  {labels.BUCKETS_SHORT[bucket]}: {count}"
                for bucket, count in zip(DIGEST_BUCKETS, counts, strict=True)
            ]
        assert f"{course}\n" + "\n".join(lines) + "\n" in text
    assert "Renovações pendentes: 3" in portuguese["text"]
    assert "Pending renewals: 3" in english["text"]
    assert "situação em 30 de novembro de 2026" in portuguese["text"]
    assert "situation on Nov. 30, 2026" in english["text"]
    assert (
        portuguese["attachment_name"]
        == f"resumo-de-conformidade-{company.name.lower().replace(' ', '-')}-2026-W49.xlsx"
    )
    assert english["attachment_name"].startswith("compliance-digest-")
    header, *rows = sheet_rows(portuguese["attachment"])
    english_header = sheet_rows(english["attachment"])[0]
    assert english_header == ["name", "email", "cpf", "course", "situation", "completed at", "certificate expires on"]
    with translation.override("pt-br"):
        assert header == [str(column) for column in ATTACHMENT_HEADER] and header[0] == "nome"
    names = [row[0] for row in rows]
    assert names == ["Expired", "Expiring 30", "Expiring 60", "Expiring 90"]
    expired = rows[0]
    assert expired[3] == course and expired[4] == "Certificado expirado"
    assert expired[6].date() == (MONDAY_9 - timedelta(days=5)).date()
    # Contacts never get a link into the back office.
    for part in (portuguese["text"], portuguese["html"], english["text"], english["html"]):
        assert "/admin" not in part and "href" not in part
    digest = selectors.digest_find(company.id, "2026-W49")
    assert digest.state == rules.RECORD_SENT and digest.sent_to == {ana.email, bob.email}
    assert (company.id, "2026-W49") not in [(d.company_id, d.period) for d in selectors.active_digests()]


def test_digest_process__no_contact_receives_it__skipped_and_done():
    company = make_company()
    add_contact(company, receives_digest=False)
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company)
    tick(MONDAY_9)

    assert process(company, "2026-W49", MONDAY_9) == "skipped"
    digest = selectors.digest_find(company.id, "2026-W49")
    assert (digest.state, digest.skip_reason) == (rules.RECORD_SKIPPED, "no HR contact receives the digest")
    assert handed_out(company, MONDAY_9 + timedelta(hours=1)) == []


def test_digest_process__mail_server_down__retried_after_backoff_then_failed_and_listed_then_sent_again(
    settings, smtp_settings
):
    settings.LIFECYCLE_MAX_ATTEMPTS, settings.LIFECYCLE_RETRY_BACKOFF_SECONDS = 2, 60
    company = make_company()
    contact = add_contact(company)
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company)
    tick(MONDAY_9)
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()

    assert process(company, "2026-W49", MONDAY_9) == "retry"
    waiting = selectors.digest_find(company.id, "2026-W49")
    assert waiting.state == rules.RECORD_PENDING and "ConnectionRefusedError" in waiting.last_error
    assert handed_out(company, MONDAY_9 + timedelta(seconds=59)) == []
    assert handed_out(company, MONDAY_9 + timedelta(seconds=61)) == ["2026-W49"]
    assert process(company, "2026-W49", MONDAY_9 + timedelta(seconds=61)) == "failed"

    [failure] = selectors.digest_failure_list(company_id=company.id)
    assert (failure.period, failure.attempts) == ("2026-W49", 2) and "ConnectionRefusedError" in failure.last_error
    assert selectors.digest_find(company.id, "2026-W49").state == rules.RECORD_FAILED
    assert handed_out(company, MONDAY_9 + timedelta(hours=1)) == []

    settings.EMAIL_PORT = working_port
    later = MONDAY_9 + timedelta(hours=2)
    with clock.frozen(later):
        resent = services.digest_failure_resend(failure_sk=failure.sk, author=STAFF)
        assert services.digest_failure_resend(failure_sk=failure.sk, author=STAFF) is None
    assert resent.state == rules.RECORD_PENDING and selectors.digest_failure_list(company_id=company.id) == []
    assert process(company, "2026-W49", later) == "sent"
    assert len(smtp_settings.accepted_to(contact.email)) == 1
    actions = [event.action for event in company_history(company.id)]
    assert actions.count("DIGEST_RESENT") == 1


def test_digest_process__one_address_refused__the_others_sent_once_the_digest_failed_then_resent_to_it_only(
    smtp_settings,
):
    company = make_company()
    fine = add_contact(company, name="Fine")
    refused = add_contact(company, name="Refused")
    smtp_settings.refusals[refused.email] = (550, "5.1.1 mailbox unknown")
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company)
    tick(MONDAY_9)

    assert process(company, "2026-W49", MONDAY_9) == "failed"
    [failure] = selectors.digest_failure_list(company_id=company.id)
    assert failure.sent_to == {fine.email} and refused.email in failure.last_error

    del smtp_settings.refusals[refused.email]
    with clock.frozen(MONDAY_9 + timedelta(hours=1)):
        services.digest_failure_resend(failure_sk=failure.sk, author=STAFF)
    assert process(company, "2026-W49", MONDAY_9 + timedelta(hours=1)) == "sent"
    assert len(smtp_settings.accepted_to(fine.email)) == 1 and len(smtp_settings.accepted_to(refused.email)) == 1


def test_digest_process__contact_edited_to_stop__not_sent_to_them(smtp_settings):
    company = make_company()
    stays, leaves = add_contact(company), add_contact(company)
    contact_update(
        company_id=company.id,
        contact_id=leaves.sk,
        name=leaves.name,
        email=leaves.email,
        language=None,
        receives_digest=False,
        revision=0,
        author=STAFF,
    )
    with clock.frozen(MONDAY_9):
        digest = services.digest_send_now(company_id=company.id, token=TOKEN, author=STAFF)

    assert process(company, digest.period, MONDAY_9) == "sent"
    assert [mail.to for mail in smtp_settings.accepted] == [[stays.email]]
