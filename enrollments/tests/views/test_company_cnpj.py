"""The company pages refuse a CNPJ another company holds: the error on the CNPJ field, with a link to that company."""

import html
import uuid

import pytest
from django.urls import reverse

from enrollments import permissions, selectors
from enrollments.services import company_create
from enrollments.tests.factories import make_cnpj

pytestmark = pytest.mark.django_db


def _holder_link(company) -> str:
    return f'<a href="{reverse("admin:company_detail", args=[company.id])}" class="cnpj-holder">'


def test_company_add__cnpj_of_another_company__error_on_the_field_links_the_holder_nothing_created(client, login):
    login(permissions.SUPERVISORS)
    cnpj = make_cnpj()
    acme = company_create(name="Acme & Filhos", billing="prepaid", cnpj=cnpj)

    response = client.post(
        reverse("admin:company_add"),
        {"name": "Acme Duplicada", "billing": "prepaid", "cnpj": cnpj, "token": str(uuid.uuid4())},
    )

    assert response.status_code == 200
    (error,) = response.context["form"].errors["cnpj"]
    assert error.startswith(f"The CNPJ {cnpj} already belongs to the company Acme &amp; Filhos.")
    page = response.content.decode()
    field = page.split("field-cnpj", 1)[1].split("</div>", 1)[0]
    assert _holder_link(acme) in field and "See the company Acme &amp; Filhos</a>" in field
    assert not [company for company in selectors.company_list() if company.name == "Acme Duplicada"]


def test_company_add__cnpj_taken__pt_br_message_and_link(client, login, settings):
    settings.LANGUAGE_CODE = "pt-br"
    login(permissions.SUPERVISORS)
    cnpj = make_cnpj()
    acme = company_create(name="Acme", billing="prepaid", cnpj=cnpj)

    response = client.post(
        reverse("admin:company_add"),
        {"name": "Acme Duplicada", "billing": "prepaid", "cnpj": cnpj, "token": str(uuid.uuid4())},
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )

    page = html.unescape(response.content.decode())
    assert f"O CNPJ {cnpj} já pertence à empresa Acme." in page
    assert _holder_link(acme) + "Ver a empresa Acme</a>" in page


def test_company_edit__cnpj_of_another_company__error_on_the_field_links_the_holder_nothing_saved(client, login):
    login(permissions.SUPERVISORS)
    cnpj = make_cnpj()
    acme = company_create(name="Acme", billing="prepaid", cnpj=cnpj)
    other = company_create(name="Outra", billing="prepaid")

    response = client.post(
        reverse("admin:company_edit", args=[other.id]),
        {"name": "Outra", "cnpj": cnpj, "language": "pt-br", "revision": "0"},
    )

    assert response.status_code == 200
    field = response.content.decode().split("field-cnpj", 1)[1].split("</div>", 1)[0]
    assert f"The CNPJ {cnpj} already belongs to the company Acme." in field and _holder_link(acme) in field
    assert selectors.company_get(other.id).cnpj is None


def test_company_add__without_cnpj_twice__both_created(client, login):
    login(permissions.SUPERVISORS)
    names = [f"Sem CNPJ {uuid.uuid4().hex[:6]}" for _ in range(2)]

    for name in names:
        data = {"name": name, "billing": "prepaid", "cnpj": "", "token": str(uuid.uuid4())}
        assert client.post(reverse("admin:company_add"), data).status_code == 302

    assert len([company for company in selectors.company_list() if company.name in names]) == 2
