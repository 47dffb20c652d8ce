"""Authors the code writes as itself are named in the reader's language; people keep the names stored."""

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
    "code, words",
    [
        ("form", "Back-office form"),
        ("csv:0b6c3f0e", "Import 0b6c3f0e"),
        ("renewal:0b6c3f0e", "Renewal 0b6c3f0e"),
        ("bulk_cancel:0b6c3f0e", "Bulk cancel 0b6c3f0e"),
        ("other:x", "other:x"),
        (None, ""),
    ],
)
def test_source_label__a_source_or_the_job_that_wrote_it(code, words):
    assert labels.source_label(code) == words


def test_source_label__pt_br__the_job_in_portuguese():
    with translation.override("pt-br"):
        assert labels.source_label("renewal:j1") == "Renovação j1"
