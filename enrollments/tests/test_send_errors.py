"""The causes of failed sends: read from the error texts the delivery service stores, said in the reader's words."""

import smtplib
import socket

import pytest
from django.utils import translation

from enrollments import send_errors
from enrollments.send_errors import CAUSES, classify, send_error_cause
from enrollments.services.emails import send_error_text

# Where an exception is given, the text is what the delivery service stores for it (``send_error_text``).


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (send_error_text(ConnectionRefusedError(111, "Connection refused")), send_errors.SERVER_UNREACHABLE),
        ("ConnectionRefusedError: [Errno 111] Connection refused", send_errors.SERVER_UNREACHABLE),
        (send_error_text(TimeoutError("timed out")), send_errors.SERVER_UNREACHABLE),
        (send_error_text(socket.gaierror(-2, "Name or service not known")), send_errors.SERVER_UNREACHABLE),
        ("OSError: [Errno 101] Network is unreachable", send_errors.SERVER_UNREACHABLE),
        (
            send_error_text(smtplib.SMTPServerDisconnected("Connection unexpectedly closed")),
            send_errors.SERVER_UNREACHABLE,
        ),
        (send_error_text(smtplib.SMTPConnectError(421, b"too many connections")), send_errors.SERVER_UNREACHABLE),
        ("recipient refused: ana@example.com 550 5.1.1 no such user", send_errors.ADDRESS_REFUSED),
        ("recipient refused: ana@example.com 550 user unknown", send_errors.ADDRESS_REFUSED),
        ("SMTPRecipientsRefused: {'ana@example.com': (550, b'5.1.1 no such user')}", send_errors.ADDRESS_REFUSED),
        ("recipient refused: ana@example.com 552 5.2.2 mailbox full", send_errors.MAILBOX_FULL),
        (
            send_error_text(smtplib.SMTPRecipientsRefused({"ana@example.com": (452, b"4.2.2 over quota")})),
            send_errors.MAILBOX_FULL,
        ),
        ("message refused: 552 Mailbox quota exceeded", send_errors.MAILBOX_FULL),
        ("message refused: 554 5.7.1 message rejected as spam", send_errors.MESSAGE_REFUSED),
        ("recipient refused: ana@example.com 550 5.7.1 relaying denied by policy", send_errors.MESSAGE_REFUSED),
        ("recipient refused: ana@example.com 554 blocked as spam", send_errors.MESSAGE_REFUSED),
        ("message refused: 552 message size exceeds fixed limit", send_errors.MESSAGE_REFUSED),
        (
            send_error_text(smtplib.SMTPAuthenticationError(535, b"5.7.8 Username and Password not accepted")),
            send_errors.AUTHENTICATION_FAILED,
        ),
        ("SMTPNotSupportedError: SMTP AUTH extension not supported by server.", send_errors.AUTHENTICATION_FAILED),
        (
            send_error_text(smtplib.SMTPSenderRefused(553, b"5.1.8 sender address rejected", "no-reply@example.com")),
            send_errors.SENDER_REFUSED,
        ),
        (send_error_text(smtplib.SMTPDataError(451, b"4.3.0 mailbox busy, try later")), send_errors.TEMPORARY_FAILURE),
        ("recipient refused: ana@example.com 450 4.7.1 greylisted, try again later", send_errors.TEMPORARY_FAILURE),
        ("could not render the email: TemplateSyntaxError: Invalid block tag", send_errors.NOT_RENDERED),
        ("no attempt finished in 3 tries (worker lost or timed out)", send_errors.NEVER_FINISHED),
        ("ValueError: Invalid isoformat string: 'last Tuesday'", send_errors.UNKNOWN),
        ("", send_errors.UNKNOWN),
        (None, send_errors.UNKNOWN),
    ],
)
def test_classify__stored_error_text__its_cause(text, cause):
    assert classify(text) == cause


def test_classify__server_words_in_an_smtp_reply__the_reply_s_code_decides_not_the_words():
    # "timed out" in a 4xx reply is the server asking to try later, not our server out of reach.
    assert classify("SMTPDataError: 421 4.4.2 connection timed out, try later") == send_errors.TEMPORARY_FAILURE


def test_send_error_cause__stored_code__wins_over_the_text():
    cause = send_error_cause("recipient refused: ana@example.com 550 5.1.1 no such user", send_errors.MAILBOX_FULL)

    assert cause.code == send_errors.MAILBOX_FULL


@pytest.mark.parametrize("stored", [None, "", send_errors.UNKNOWN, "a_cause_of_a_later_version"])
def test_send_error_cause__no_code_or_one_that_says_nothing__the_text_is_classified(stored):
    cause = send_error_cause("ConnectionRefusedError: [Errno 111] Connection refused", stored)

    assert cause.code == send_errors.SERVER_UNREACHABLE


def test_causes__english__each_label_and_hint_as_written():
    with translation.override("en"):
        cause = send_error_cause("recipient refused: ana@example.com 550 5.1.1 no such user")

        assert (str(cause.label), str(cause.hint).split(".")[0]) == (
            "Address refused",
            "The recipient's mail server says this address does not exist",
        )


def test_causes__pt_br__every_label_and_hint_in_portuguese():
    with translation.override("en"):
        english = {code: (str(cause.label), str(cause.hint)) for code, cause in CAUSES.items()}
    with translation.override("pt-br"):
        portuguese = {code: (str(cause.label), str(cause.hint)) for code, cause in CAUSES.items()}

    assert all(portuguese[code][0] != english[code][0] for code in CAUSES)
    assert all(portuguese[code][1] != english[code][1] for code in CAUSES)
    assert portuguese[send_errors.SERVER_UNREACHABLE][0] == "Servidor de e-mail inacessível"
    assert portuguese[send_errors.MAILBOX_FULL] == (
        "Caixa postal cheia",
        "A caixa postal do destinatário está cheia. Envie o e-mail novamente mais tarde ou peça à pessoa que libere "
        "espaço.",
    )
