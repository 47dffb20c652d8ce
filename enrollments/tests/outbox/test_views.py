"""The Outbox section: development only, newest first a page at a time, one email's parts, no other file served."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from enrollments import permissions
from enrollments.views.common import EMAIL_PREVIEW_POLICY
from scripts import production_server as production

pytestmark = pytest.mark.django_db

ANY_NAME = "20260302T120000.000000Z-0123456789abcdef0123456789abcdef.eml"
SUBJECT = "NR-10 Segurança em Instalações Elétricas: boas-vindas"


def _send(subject: str = SUBJECT, to: str = "João Silva <joao@example.com>") -> None:
    message = mail.EmailMultiAlternatives(
        subject=subject, body="Olá, João.\nAcesse o curso.", from_email="Cursos <cursos@example.com>", to=[to]
    )
    message.attach_alternative('<p style="color: rgb(65, 118, 144)">Olá, <b>João</b>.</p>', "text/html")
    message.send()


def _names(folder) -> list[str]:
    return sorted((path.name for path in folder.iterdir()), reverse=True)


def _text(response) -> str:
    return response.content.decode()


def test_list__sent_emails__newest_first_subject_decoded_recipients_and_size(client, login, outbox, frozen_clock):
    login(permissions.VIEWERS)
    _send(subject="Primeira")
    frozen_clock.set(frozen_clock.start + timedelta(minutes=1))
    _send(to="Ana <ana@example.com>")

    response = client.get(reverse("admin:outbox_list"))

    page = _text(response)
    assert response.status_code == 200
    assert [message.subject for message in response.context["page"].messages] == [SUBJECT, "Primeira"]
    assert page.index(SUBJECT) < page.index("Primeira")
    assert "Ana &lt;ana@example.com&gt;" in page and "João Silva &lt;joao@example.com&gt;" in page
    assert "=?utf-8?" not in page
    assert "2 emails kept." in page and str(outbox) in page
    for name in _names(outbox):
        assert f'href="{reverse("admin:outbox_message", args=[name])}"' in page


def test_list__nothing_sent__says_so(client, login, outbox):
    login(permissions.VIEWERS)

    page = _text(client.get(reverse("admin:outbox_list")))

    assert "No emails sent yet." in page and "0 emails kept." in page


def test_list__more_than_a_page__next_and_first_page_links_reach_every_email_once(
    client, login, outbox, frozen_clock, monkeypatch
):
    monkeypatch.setattr("enrollments.outbox.selectors.OUTBOX_PAGE_SIZE", 2)
    login(permissions.VIEWERS)
    for minute in range(3):
        frozen_clock.set(frozen_clock.start + timedelta(minutes=minute))
        _send(subject=f"Mensagem {minute}")
    url = reverse("admin:outbox_list")

    first = client.get(url)
    second = client.get(url + first.context["next_url"])

    assert [m.subject for m in first.context["page"].messages] == ["Mensagem 2", "Mensagem 1"]
    assert [m.subject for m in second.context["page"].messages] == ["Mensagem 0"]
    assert first.context["first_url"] is None and second.context["next_url"] is None
    assert second.context["first_url"] == url and 'class="first-page"' in _text(second)


def test_list__edited_cursor__warning_and_the_first_page(client, login, outbox):
    login(permissions.VIEWERS)
    _send()

    response = client.get(reverse("admin:outbox_list") + "?cursor=..%2F..%2Fetc%2Fpasswd", follow=True)

    assert response.status_code == 200
    assert "That page link is no longer valid; showing the first page." in _text(response)
    assert [message.subject for message in response.context["page"].messages] == [SUBJECT]


def test_message__headers_text_part_and_the_html_part_in_a_sandboxed_frame(client, login, outbox):
    login(permissions.VIEWERS)
    _send()
    [name] = _names(outbox)

    response = client.get(reverse("admin:outbox_message", args=[name]))

    page = _text(response)
    assert response.status_code == 200
    assert f'<dd class="email-subject">{SUBJECT}</dd>' in page
    assert '<dd class="email-from">Cursos &lt;cursos@example.com&gt;</dd>' in page
    assert '<dd class="email-to">João Silva &lt;joao@example.com&gt;</dd>' in page
    assert 'class="email-date"' in page and name in page
    assert "Olá, João.\nAcesse o curso." in page  # the text part, as written
    html_url = reverse("admin:outbox_message_html", args=[name])
    assert f'<iframe class="email-html" sandbox="" loading="lazy" src="{html_url}"' in page
    assert "<b>João</b>" not in page  # the HTML part is only in its frame


def test_message_html__the_email_s_html_under_the_preview_policy(client, login, outbox):
    login(permissions.VIEWERS)
    _send()
    [name] = _names(outbox)

    response = client.get(reverse("admin:outbox_message_html", args=[name]))

    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert _text(response).strip() == '<p style="color: rgb(65, 118, 144)">Olá, <b>João</b>.</p>'
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy and "sandbox" in policy
    assert "frame-ancestors 'self'" in policy and "script-src" not in policy
    assert EMAIL_PREVIEW_POLICY["default-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_message__text_only_email__no_frame_and_its_html_url_404(client, login, outbox):
    login(permissions.VIEWERS)
    mail.EmailMessage(subject="Só texto", body="Corpo", to=["a@example.com"]).send()
    [name] = _names(outbox)

    page = _text(client.get(reverse("admin:outbox_message", args=[name])))

    assert "This email has no HTML part." in page and "<iframe" not in page
    assert client.get(reverse("admin:outbox_message_html", args=[name])).status_code == 404


def test_message__file_that_is_not_an_email__a_clear_line_in_the_list_and_on_its_page(client, login, outbox):
    login(permissions.VIEWERS)
    outbox.mkdir()
    (outbox / ANY_NAME).write_bytes(b"\x00\xff not an email at all \x89PNG")
    line = f"The file {ANY_NAME} is not an email message that can be read."

    listed = client.get(reverse("admin:outbox_list"))
    shown = client.get(reverse("admin:outbox_message", args=[ANY_NAME]))
    html = client.get(reverse("admin:outbox_message_html", args=[ANY_NAME]))

    assert listed.status_code == 200 and line in _text(listed)
    assert shown.status_code == 200 and line in _text(shown)
    assert html.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "../../settings.py/",
        "..%2F..%2Fbackoffice%2Fsettings.py/",
        "%2e%2e/",
        "..%5Coutbox-secret.eml/",
        "notes.eml/",
        f"{ANY_NAME.upper()}/",
        f"..%2Foutbox%2F{ANY_NAME}/",
        f"{ANY_NAME}/..%2F..%2Fsecret.eml/html/",
    ],
)
def test_message__name_not_one_the_backend_writes__404_even_for_files_that_exist(client, login, outbox, path):
    login(permissions.VIEWERS)
    outbox.mkdir()
    (outbox / ANY_NAME).write_text("From: a@example.com\nSubject: kept\n\nhello\n")
    (outbox / "notes.eml").write_text("From: a@example.com\nSubject: secret\n\nhello\n")
    (outbox.parent / "secret.eml").write_text("From: a@example.com\nSubject: secret\n\nhello\n")
    (outbox.parent / "outbox-secret.eml").write_text("From: a@example.com\nSubject: secret\n\nhello\n")

    response = client.get(reverse("admin:outbox_list") + path)

    assert response.status_code == 404
    assert 'class="email-subject"' not in _text(response) and "hello" not in _text(response)


def test_message__name_of_no_file__404(client, login, outbox):
    login(permissions.VIEWERS)

    assert client.get(reverse("admin:outbox_message", args=[ANY_NAME])).status_code == 404


@pytest.mark.parametrize("url_name", ["outbox_list", "outbox_message", "outbox_message_html"])
def test_outbox__debug_off__404_and_no_link(client, login, outbox, settings, url_name):
    login(permissions.VIEWERS)
    _send()
    [name] = _names(outbox)
    settings.DEBUG = False

    response = client.get(reverse(f"admin:{url_name}", args=[] if url_name == "outbox_list" else [name]))

    assert response.status_code == 404
    assert "outbox" not in _text(client.get(reverse("admin:index"))).lower()


def test_outbox__development_with_a_mail_server__404_and_no_link(client, login, outbox, settings):
    login(permissions.VIEWERS)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    assert client.get(reverse("admin:outbox_list")).status_code == 404
    assert "Outbox" not in _text(client.get(reverse("admin:index")))


def test_outbox__development__linked_from_the_index_and_the_back_office_page(client, login, outbox):
    login(permissions.VIEWERS)

    for url_name in ("index", "backoffice_index"):
        assert f'href="{reverse("admin:outbox_list")}"' in _text(client.get(reverse(f"admin:{url_name}")))


@pytest.mark.parametrize("url_name", ["outbox_list", "outbox_message", "outbox_message_html"])
def test_outbox__anonymous_redirected_to_login__staff_without_view_permission_403(client, login, outbox, url_name):
    _send()
    [name] = _names(outbox)
    url = reverse(f"admin:{url_name}", args=[] if url_name == "outbox_list" else [name])

    anonymous = client.get(url)
    login()
    lacking = client.get(url)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("admin:login"))
    assert lacking.status_code == 403


@pytest.mark.slow
def test_outbox__production_server__not_routed(production_server):
    username = f"viewer-{uuid.uuid4().hex[:6]}"
    production.manage(
        production_server.env,
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User; "
        f"user = User.objects.create_user('{username}', password='pw-for-tests', is_staff=True); "
        "user.groups.add(Group.objects.get(name='viewers'))",
    )
    session = production.StaffSession(production_server)
    session.log_in(username=username, password="pw-for-tests")

    listed = session.get("/admin/backoffice/outbox/")
    message = session.get(f"/admin/backoffice/outbox/{ANY_NAME}/")
    index = session.get("/admin/")

    assert (listed.status, message.status, index.status) == (404, 404, 200)
    assert "Caixa de saída" not in index.body.decode() and "/outbox/" not in index.body.decode()
