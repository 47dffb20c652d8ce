"""The outbox backend: one .eml file a message, named by the clock's time and a uuid, written whole."""

import email
from datetime import timedelta
from email import policy

import pytest
from django.core import mail

from enrollments.outbox.files import NAME, kept_at


def _send(subject: str = "NR-10 Segurança: boas-vindas", **kwargs) -> int:
    message = mail.EmailMultiAlternatives(
        subject=subject,
        body="Olá, João.",
        from_email="Cursos <cursos@example.com>",
        to=kwargs.pop("to", ["João Silva <joao@example.com>"]),
        **kwargs,
    )
    message.attach_alternative("<p>Olá, João.</p>", "text/html")
    return message.send()


def _files(folder) -> list:
    return sorted(folder.iterdir())


def test_send__one_message__one_eml_file_the_mail_server_would_get(outbox):
    assert _send() == 1

    [file] = _files(outbox)
    assert NAME.match(file.name)
    message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["Subject"].strip() == "NR-10 Segurança: boas-vindas"
    assert [str(address) for address in message["To"].addresses] == ["João Silva <joao@example.com>"]
    assert message.get_body(("plain",)).get_content().strip() == "Olá, João."
    assert message.get_body(("html",)).get_content().strip() == "<p>Olá, João.</p>"
    # The subject is MIME-encoded in the file, as on the wire: the page decodes it.
    assert b"Seguran=C3=A7a" in file.read_bytes()


def test_send__several_messages_one_connection__one_file_each_no_temporary_left(outbox):
    connection = mail.get_connection()
    messages = [
        mail.EmailMessage(subject=f"Message {number}", body="Body", to=[f"p{number}@example.com"])
        for number in range(3)
    ]

    assert connection.send_messages(messages) == 3

    files = _files(outbox)
    assert len(files) == 3 and all(NAME.match(file.name) for file in files)
    subjects = {email.message_from_bytes(file.read_bytes(), policy=policy.default)["Subject"] for file in files}
    assert subjects == {"Message 0", "Message 1", "Message 2"}


def test_send__names__sort_as_the_clock_s_times(outbox, frozen_clock):
    later = frozen_clock.start + timedelta(seconds=1)
    frozen_clock.set(later)
    _send(subject="second")
    frozen_clock.set(frozen_clock.start)
    _send(subject="first")

    first, second = _files(outbox)
    assert (kept_at(first.name), kept_at(second.name)) == (frozen_clock.start, later)
    assert email.message_from_bytes(second.read_bytes(), policy=policy.default)["Subject"] == "second"


def test_send__bcc__named_in_the_kept_copy(outbox):
    _send(to=["ana@example.com"], bcc=["auditoria@example.com"])

    [file] = _files(outbox)
    message = email.message_from_bytes(file.read_bytes(), policy=policy.default)
    assert message["Bcc"] == "auditoria@example.com"


def test_send__no_recipient__nothing_kept(outbox):
    assert mail.EmailMessage(subject="Nobody", body="Body", to=[]).send() == 0

    assert not outbox.exists() or _files(outbox) == []


def test_send__folder_cannot_be_made__raises_or_counts_none_when_silent(outbox):
    outbox.write_text("a file where the folder should be")

    with pytest.raises(OSError):
        _send()
    assert mail.EmailMessage(subject="Quiet", body="Body", to=["a@example.com"]).send(fail_silently=True) == 0
