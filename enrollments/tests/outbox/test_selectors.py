"""The outbox's messages: newest first a page at a time, decoded, any file unreadable said so, no other file read."""

from datetime import timedelta

import pytest
from django.core import mail

from enrollments.exceptions import InvalidCursor
from enrollments.outbox import selectors
from enrollments.outbox.files import message_name

ANY_NAME = "20260302T120000.000000Z-0123456789abcdef0123456789abcdef.eml"


def _send(subject: str, to: str = "joao@example.com") -> None:
    mail.EmailMessage(subject=subject, body="Corpo", from_email="Cursos <cursos@example.com>", to=[to]).send()


@pytest.fixture
def five(outbox, frozen_clock):
    for minute in range(5):
        frozen_clock.set(frozen_clock.start + timedelta(minutes=minute))
        _send(f"Mensagem {minute}")
    return outbox


def test_outbox_page__pages_of_two__newest_first_each_once_then_no_cursor(five):
    subjects, cursor = [], None
    for _ in range(3):
        page = selectors.outbox_page(cursor=cursor, page_size=2)
        subjects.append([message.subject for message in page.messages])
        cursor = page.next_cursor
        assert page.total == 5

    assert subjects == [["Mensagem 4", "Mensagem 3"], ["Mensagem 2", "Mensagem 1"], ["Mensagem 0"]]
    assert cursor is None


def test_outbox_page__exactly_one_page__no_next_cursor(five):
    assert selectors.outbox_page(page_size=5).next_cursor is None


def test_outbox_page__cursor_not_a_name_the_backend_writes__invalid_cursor(five):
    with pytest.raises(InvalidCursor):
        selectors.outbox_page(cursor="../../etc/passwd")


def test_outbox_page__no_folder_yet__empty(outbox):
    page = selectors.outbox_page()

    assert (page.messages, page.next_cursor, page.total) == ([], None, 0)


def test_outbox_page__other_files_in_the_folder__not_listed(five):
    (five / "notes.txt").write_text("From: a@example.com\n\nnot mine")
    (five / f".{ANY_NAME}.tmp").write_text("From: a@example.com\n\nhalf written")
    (five / "20260302T120000.000000Z-0123456789ABCDEF0123456789ABCDEF.eml").write_text("From: a@example.com\n\nx")

    assert selectors.outbox_page().total == 5


def test_outbox_message__decoded_headers_parts_and_sizes(outbox, frozen_clock):
    message = mail.EmailMultiAlternatives(
        subject="NR-10 Segurança em Instalações Elétricas: boas-vindas",
        body="Olá, João.\n",
        from_email="Cursos Ágeis <cursos@example.com>",
        to=["João Silva <joao@example.com>"],
        cc=["rh@example.com"],
        headers={"Content-Language": "pt-br"},
    )
    message.attach_alternative("<p>Olá, <b>João</b>.</p>", "text/html")
    message.attach("certificado.pdf", b"%PDF-1.4", "application/pdf")
    message.send()
    [name] = [path.name for path in outbox.iterdir()]

    kept = selectors.outbox_message(name)

    assert kept.readable and kept.subject == "NR-10 Segurança em Instalações Elétricas: boas-vindas"
    assert (kept.sender, kept.to, kept.cc) == (
        "Cursos Ágeis <cursos@example.com>",
        ("João Silva <joao@example.com>",),
        ("rh@example.com",),
    )
    assert kept.recipients == ("João Silva <joao@example.com>", "rh@example.com")
    assert kept.language == "pt-br" and kept.attachments == ("certificado.pdf",)
    assert kept.text == "Olá, João.\n" and kept.html == "<p>Olá, <b>João</b>.</p>"
    assert kept.kept_at == frozen_clock.start and kept.date is not None and kept.date.tzinfo is not None
    assert kept.size == (outbox / name).stat().st_size


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00\xff\xfe binary \x89PNG\r\n", id="binary"),
        pytest.param(b"just some text\nover two lines\n", id="text without headers"),
        pytest.param(
            b"From: a@example.com\nContent-Type: text/plain; charset=no-such-charset\n\nhello\n", id="unknown charset"
        ),
    ],
)
def test_outbox_message__file_not_a_readable_email__unreadable_with_its_size(outbox, content):
    outbox.mkdir()
    (outbox / ANY_NAME).write_bytes(content)

    kept = selectors.outbox_message(ANY_NAME)
    [listed] = selectors.outbox_page().messages

    assert kept == listed
    assert not kept.readable and kept.size == len(content) and kept.subject == ""


@pytest.mark.parametrize(
    "name",
    ["..", "../settings.py", "notes.txt", ANY_NAME.upper(), f"{ANY_NAME}/", f"/{ANY_NAME}", f"../outbox/{ANY_NAME}"],
)
def test_outbox_message__not_a_name_the_backend_writes__not_found_even_if_the_file_exists(outbox, name):
    outbox.mkdir()
    (outbox / ANY_NAME).write_text("From: a@example.com\n\nhello\n")
    (outbox / "notes.txt").write_text("From: a@example.com\n\nhello\n")

    with pytest.raises(selectors.MessageNotFound):
        selectors.outbox_message(name)


def test_outbox_message__name_of_no_file__not_found(outbox):
    with pytest.raises(selectors.MessageNotFound):
        selectors.outbox_message(ANY_NAME)


def test_outbox_enabled__development_with_the_outbox_backend__only_then(outbox, settings):
    assert selectors.outbox_enabled()

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert not selectors.outbox_enabled()

    settings.EMAIL_BACKEND, settings.DEBUG = settings.OUTBOX_EMAIL_BACKEND, False
    assert not selectors.outbox_enabled()


def test_message_name__of_a_moment__a_name_the_outbox_lists(frozen_clock):
    name = message_name(frozen_clock.start)

    assert name.startswith("20260302T120000.000000Z-") and selectors.is_message_name(name)
