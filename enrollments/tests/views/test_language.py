"""The back office speaks pt-BR by default; staff switch to English in the header, and the choice sticks."""

from django.urls import reverse

from enrollments import permissions


def test_pages__no_choice_made__pt_br(client, login, settings):
    settings.LANGUAGE_CODE = "pt-br"
    login(permissions.VIEWERS)

    page = client.get(reverse("admin:enrollment_list")).content.decode()

    assert '<html lang="pt-br"' in page and "Matrículas" in page
    assert 'id="language-form"' in page and 'action="/i18n/setlang/"' in page


def test_language_picker__english_chosen__every_later_page_in_english(client, login, settings):
    settings.LANGUAGE_CODE = "pt-br"
    login(permissions.VIEWERS)

    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("admin:company_list")})

    assert response.status_code == 302 and response["Location"] == reverse("admin:company_list")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    for name in ("admin:company_list", "admin:enrollment_list", "admin:import_list"):
        page = client.get(reverse(name)).content.decode()
        assert '<html lang="en"' in page, name
    assert "Companies" in client.get(reverse("admin:company_list")).content.decode()
