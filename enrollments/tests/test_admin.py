"""Django's pages of staff users and groups: each group and permission named in the reader's language, the
staff groups' stored names kept as the keys the code finds them by."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enrollments import permissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client, staff_user):
    user = staff_user()
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return user


def _page(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _options(page: str, select: str) -> list[str]:
    """Return the texts of the options of the <select name=``select``>."""
    (options,) = re.findall(rf'<select name="{select}"[^>]*>(.*?)</select>', page, flags=re.S)
    return re.findall(r"<option[^>]*>(.*?)</option>", options)


@pytest.mark.parametrize(
    ("language", "labels", "key_column"),
    [
        ("pt-br", ["Operadores", "Supervisores", "Visualizadores"], "Nome no código"),
        ("en", ["Operators", "Supervisors", "Viewers"], "Name in the code"),
    ],
)
def test_group_list__each_staff_group_by_its_label_beside_its_stored_name(
    client, superuser, language, labels, key_column
):
    page = _page(client, reverse("admin:auth_group_changelist"), language)

    rows = re.findall(r'<th class="field-label"><a [^>]*>(.*?)</a></th><td class="field-key">(.*?)</td>', page)
    assert [row for row in rows if row[1] in permissions.GROUPS] == list(
        zip(labels, ["operators", "supervisors", "viewers"], strict=True)
    )
    assert key_column in page


@pytest.mark.parametrize(
    ("language", "label", "permission"),
    [
        ("pt-br", "Visualizadores", "Matrículas | back office | Pode ver matrículas, empresas, cursos e pedidos"),
        ("en", "Viewers", "Enrollments | back office | Can view enrollments, companies, courses and orders"),
    ],
)
def test_group_page__staff_group__its_label_as_heading_title_and_crumb_and_permissions_in_words(
    client, superuser, language, label, permission
):
    viewers = Group.objects.get(name=permissions.VIEWERS)

    page = _page(client, reverse("admin:auth_group_change", args=[viewers.pk]), language)

    assert f"<h2>{label}</h2>" in page and re.search(rf"<title>{label} \|", page)
    assert re.search(rf"&rsaquo; {label}\s*</div>", page)
    assert permission in _options(page, "permissions")
    # Its stored name is shown, not offered for editing.
    assert '<div class="readonly">viewers</div>' in page and 'name="name"' not in page


def test_group_page__staff_group_saved__its_stored_name_stays(client, superuser):
    viewers = Group.objects.get(name=permissions.VIEWERS)
    view = Group.objects.get(name=permissions.VIEWERS).permissions.get()

    response = client.post(
        reverse("admin:auth_group_change", args=[viewers.pk]), {"name": "visualizadores", "permissions": [view.pk]}
    )

    assert response.status_code == 302
    assert Group.objects.filter(name=permissions.VIEWERS).exists() and not Group.objects.filter(name="visualizadores")


def test_group_page__group_of_its_own__named_as_stored_and_its_name_editable(client, superuser):
    own = Group.objects.create(name="Financeiro")

    page = _page(client, reverse("admin:auth_group_change", args=[own.pk]), "pt-br")

    assert "<h2>Financeiro</h2>" in page and 'name="name"' in page


@pytest.mark.parametrize(
    ("language", "groups", "permission", "django_permission"),
    [
        (
            "pt-br",
            ["Operadores", "Supervisores", "Visualizadores"],
            "Matrículas | back office | Pode cancelar matrículas",
            "Autenticação e Autorização | usuário | Pode adicionar usuário",
        ),
        (
            "en",
            ["Operators", "Supervisors", "Viewers"],
            "Enrollments | back office | Can cancel enrollments",
            "Authentication and Authorization | user | Can add user",
        ),
    ],
)
def test_user_page__groups_and_permissions_choosers_in_the_reader_s_language(
    client, superuser, staff_user, language, groups, permission, django_permission
):
    operator = staff_user(permissions.OPERATORS)

    page = _page(client, reverse("admin:auth_user_change", args=[operator.pk]), language)

    assert [group for group in _options(page, "groups") if group in groups] == groups
    assert "viewers" not in _options(page, "groups")
    assert permission in _options(page, "user_permissions")
    assert django_permission in _options(page, "user_permissions")


def test_user_list__group_filter__each_group_by_its_label(client, superuser):
    page = _page(client, reverse("admin:auth_user_changelist"), "pt-br")

    viewers = Group.objects.get(name=permissions.VIEWERS)
    assert re.search(rf'<a href="\?groups__id__exact={viewers.pk}">Visualizadores</a>', page)
