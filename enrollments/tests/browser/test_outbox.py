"""The development outbox in a real browser, in pt-BR and in English: from the index to one email and its parts."""

import pytest
from django.core import mail

from enrollments import permissions
from enrollments.tests.browser_support import log_in, member, watch_console

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "NR-10 Segurança em Instalações Elétricas: boas-vindas"
# The labels each language shows: the section, the list's columns, the email's headers.
LABELS = {
    "pt-BR": {
        "section": "Caixa de saída",
        "columns": ["Data", "Assunto", "Destinatários", "Tamanho"],
        "facts": ["Assunto", "De", "Para", "Data", "Arquivo"],
        "html": "Parte HTML",
        "text": "Parte em texto",
    },
    "en-US": {
        "section": "Outbox",
        "columns": ["Date", "Subject", "Recipients", "Size"],
        "facts": ["Subject", "From", "To", "Date", "File"],
        "html": "HTML part",
        "text": "Text part",
    },
}


@pytest.mark.parametrize("locale", ["pt-BR", "en-US"])
def test_viewer__outbox__from_the_index_to_an_email_its_html_styled_in_its_frame(browser, live_server, outbox, locale):
    message = mail.EmailMultiAlternatives(
        subject=SUBJECT,
        body="Olá, João.\nAcesse o curso.",
        from_email="Cursos <cursos@example.com>",
        to=["João Silva <joao@example.com>"],
        headers={"Content-Language": "pt-br"},
    )
    message.attach_alternative('<p><a href="#" style="background: rgb(65, 118, 144)">Começar</a></p>', "text/html")
    message.send()
    labels = LABELS[locale]
    context = browser.new_context(locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.VIEWERS))

    page.click(f"#content-main a:text-is('{labels['section']}')")
    page.wait_for_selector("#outbox-count")
    headers = [text.strip() for text in page.locator("#result_list thead th").all_text_contents()]
    assert headers == labels["columns"]
    row = page.locator("tr.outbox-message")
    assert row.count() == 1 and SUBJECT in row.inner_text() and "João Silva <joao@example.com>" in row.inner_text()

    page.click(f"tr.outbox-message a:text-is('{SUBJECT}')")
    page.wait_for_selector("#outbox-message")
    assert page.locator("h1").inner_text() == SUBJECT
    assert page.locator("#outbox-message dt").all_text_contents() == labels["facts"]
    assert page.locator("#outbox-message h3").all_text_contents() == [labels["html"], labels["text"]]
    assert page.inner_text(".email-to") == "João Silva <joao@example.com>"
    assert page.inner_text("pre.email-text") == "Olá, João.\nAcesse o curso."
    frame = page.frame_locator("#outbox-message iframe.email-html")
    link = frame.locator("a", has_text="Começar")
    # The email's inline style applies in its frame: the preview's own policy allows it.
    assert link.evaluate("link => getComputedStyle(link).backgroundColor") == "rgb(65, 118, 144)"
    assert problems == []
    context.close()
