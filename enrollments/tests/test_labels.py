"""Authors the code writes as itself are named in the reader's language; people keep the names stored."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from enrollments import labels, permissions
from enrollments.management.demo import SEEDER
from enrollments.services import enroll
from enrollments.services.common import SYSTEM, Author
from enrollments.tests.factories import make_person


@pytest.mark.parametrize(
    ("author", "language", "expected"),
    [
        (SYSTEM, "pt-br", "Agendador"),
        (SYSTEM, "en", "Scheduler"),
        (SEEDER, "pt-br", "Dados de demonstração"),
        (SEEDER, "en", "Demo data"),
        (Author(id="42", name="Maria Souza", email="maria@example.com", staff=True), "pt-br", "Maria Souza"),
    ],
)
def test_author_name__stored_author__name_in_the_readers_language(author, language, expected):
    with translation.override(language):
        assert labels.author_name(author) == expected


def test_author_name__no_author__empty():
    assert labels.author_name(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "hidden"), [("pt-br", "Agendador", "Scheduler"), ("en", "Scheduler", "Agendador")]
)
def test_enrollment_page__enrolled_by_the_scheduler__author_in_the_readers_language(
    client, login, settings, catalog, language, shown, hidden
):
    settings.LANGUAGE_CODE = "pt-br"
    made = enroll(tenant_id=catalog["company"].id, course_id=catalog["course"].id, user=make_person(), author=SYSTEM)
    login(permissions.VIEWERS)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("admin:enrollment_detail", args=[made.id])).content.decode()

    assert f"<td>{shown}</td>" in page
    assert hidden not in page


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ("no_vacancy_left", "pt-br", "Sem vaga"),
        ("no_vacancy_left", "en", "No seat left"),
        # A domain error's code without words of its own (DynamoDB down on the last try, for one).
        ("storage_unavailable", "pt-br", "Outro erro"),
        ("storage_unavailable", "en", "Other error"),
        (None, "en", ""),
    ],
)
def test_import_result_label__row_result__its_words_or_other_error(code, language, expected):
    with translation.override(language):
        assert labels.import_result_label(code) == expected


@pytest.mark.parametrize(
    ("language", "reference", "expected"),
    [
        ("pt-br", "PO-17", "pedido “PO-17”"),
        ("en", "PO-17", "order “PO-17”"),
        ("pt-br", None, "pedido de 02/03/2026"),
        ("en", None, "order of 03/02/2026"),
    ],
)
def test_order_name__by_its_reference_else_the_day_bought__never_its_id(language, reference, expected, settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    order = SimpleNamespace(order_id="0b1c", purchase_order=reference, created_at="2026-03-02T12:00:00.000000Z")

    with translation.override(language):
        assert labels.order_name(order) == expected


def test_order_name__an_order_not_found__the_word_alone():
    with translation.override("pt-br"):
        assert labels.order_name(None) == "pedido"
