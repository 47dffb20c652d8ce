"""With DEBUG off, a missing page and a failing one answer the project's pages, in the admin's look and the reader's
language: pt-BR by default, English when the staff member chose it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_debug(settings):
    settings.DEBUG = False
    settings.LANGUAGE_CODE = "pt-br"
    return settings


def _admin_look(page: str) -> bool:
    return 'id="header"' in page and 'id="site-name"' in page and "enrollments/css/backoffice.css" in page


def test_page_not_found__no_choice_made__pt_br_page_in_the_admins_look(client, production_debug):
    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert _admin_look(page)
    assert '<html lang="pt-br"' in page
    assert "Página não encontrada" in page and "Não há página neste endereço" in page
    assert "Back office de matrículas" in page
    assert "Page not found" not in page and "Not Found" not in page


def test_page_not_found__english_chosen__english_page(client, login, production_debug):
    login()
    client.cookies[production_debug.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/admin/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert _admin_look(page)
    assert '<html lang="en"' in page
    assert "Page not found" in page and "There is no page at this address" in page
    assert "Página" not in page


def test_page_not_found__accept_language_english__english_page(client, production_debug):
    response = client.get("/no-such-page/", headers={"Accept-Language": "en-US,en;q=0.9"})

    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()


@pytest.mark.urls("enrollments.tests.views.broken_urls")
def test_server_error__view_raises__pt_br_page_in_the_admins_look(client, production_debug):
    client.raise_request_exception = False

    response = client.get("/broken/")

    page = response.content.decode()
    assert response.status_code == 500
    assert _admin_look(page)
    assert '<html lang="pt-br"' in page
    assert "Erro no servidor" in page and "O erro foi registrado" in page
    assert "a bug in a view" not in page and "Server Error" not in page


@pytest.mark.urls("enrollments.tests.views.broken_urls")
def test_server_error__english_chosen__english_page(client, production_debug):
    client.raise_request_exception = False
    client.cookies[production_debug.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/broken/")

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en"' in page and "Server error" in page and "The error was recorded" in page


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("pt-br", "Peça a um supervisor para incluir você no grupo certo: Visualizadores, Operadores ou Supervisores."),
        ("en", "Ask a supervisor to add you to the right group: Viewers, Operators or Supervisors."),
    ],
)
def test_permission_denied__names_the_groups_as_the_admin_s_group_pages_do(client, login, language, sentence):
    login()  # staff without a group

    response = client.get("/admin/backoffice/enrollments/", headers={"Accept-Language": language})

    page = response.content.decode()
    assert response.status_code == 403
    assert sentence in " ".join(page.split())
    assert "viewers" not in page and "visualizadores," not in page
