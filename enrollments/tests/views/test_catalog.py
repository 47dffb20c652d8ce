"""Company, course and order pages."""

import uuid

import pytest
from django.urls import reverse

from enrollments import permissions, selectors
from enrollments.dynamo.models import CompanyItem
from enrollments.permissions import sync_groups
from enrollments.services import company_create
from enrollments.tests.request_support import post_at_once

pytestmark = pytest.mark.django_db


def test_company_add__valid__creates_and_shows_the_company(client, login):
    login(permissions.SUPERVISORS)
    name = f"Obras {uuid.uuid4().hex[:6]}"

    response = client.post(
        reverse("admin:company_add"),
        {"name": name, "billing": "prepaid", "cnpj": "11.222.333/0001-81", "token": str(uuid.uuid4())},
        follow=True,
    )

    company = next(c for c in selectors.company_list() if c.name == name)
    assert response.redirect_chain[-1][0] == reverse("admin:company_detail", args=[company.sk])
    assert company.cnpj == "11222333000181" and f"Company {name} created." in response.content.decode()


@pytest.mark.parametrize("language, shown", [("en", "English"), ("pt-br", "Brazilian Portuguese")])
def test_company_add__email_language__stored_and_shown_on_the_company_page(client, login, language, shown):
    login(permissions.SUPERVISORS)
    name = f"Obras {uuid.uuid4().hex[:6]}"

    response = client.post(
        reverse("admin:company_add"),
        {"name": name, "billing": "postpaid", "language": language, "token": str(uuid.uuid4())},
        follow=True,
    )

    company = next(c for c in selectors.company_list() if c.name == name)
    assert company.language == language
    assert f'<dd id="company-language">{shown}</dd>' in response.content.decode()


def test_company_add__form__offers_the_site_languages_the_site_s_first(client, login, settings):
    settings.LANGUAGE_CODE = "pt-br"
    login(permissions.SUPERVISORS)

    form = client.get(reverse("admin:company_add")).context["form"]

    assert [code for code, _name in form.fields["language"].choices] == ["pt-br", "en"]
    assert form["language"].value() == "pt-br"


def test_company_add__language_not_offered__error_on_the_field_nothing_created(client, login):
    login(permissions.SUPERVISORS)
    name = f"Obras {uuid.uuid4().hex[:6]}"

    response = client.post(
        reverse("admin:company_add"),
        {"name": name, "billing": "postpaid", "language": "fr", "token": str(uuid.uuid4())},
    )

    assert "language" in response.context["form"].errors
    assert not [c for c in selectors.company_list() if c.name == name]


def test_company_detail__company_written_before_languages__shows_the_site_language(client, login, settings):
    settings.LANGUAGE_CODE = "pt-br"
    login(permissions.VIEWERS)
    company = company_create(name=f"Obras {uuid.uuid4().hex[:6]}", billing="postpaid", language="en")
    CompanyItem(company.id, company.sk).update(actions=[CompanyItem.language.remove()])

    page = client.get(reverse("admin:company_detail", args=[company.sk]), HTTP_ACCEPT_LANGUAGE="en").content

    assert '<dd id="company-language">Brazilian Portuguese</dd>' in page.decode()


def test_company_add__bad_cnpj__error_on_the_field_input_kept(client, login):
    login(permissions.SUPERVISORS)

    response = client.post(
        reverse("admin:company_add"),
        {"name": "Obras", "billing": "prepaid", "cnpj": "11.222.333/0001-00", "token": str(uuid.uuid4())},
    )

    assert "not a valid CNPJ" in response.context["form"].errors["cnpj"][0]
    assert 'value="Obras"' in response.content.decode()


def test_company_detail__orders_and_seats_left_per_course(client, login, catalog, enrollment):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:company_detail", args=[catalog["company"].sk]))

    assert response.context["seats"] == [
        {"course_id": catalog["course"].sk, "course_name": catalog["course"].name, "bought": 3, "left": 2}
    ]
    assert catalog["order"].order_id in response.content.decode()
    assert reverse("admin:order_add") not in response.content.decode()  # a viewer


def test_company_detail__operator__create_order_button(client, login, catalog):
    login(permissions.OPERATORS)

    page = client.get(reverse("admin:company_detail", args=[catalog["company"].sk])).content.decode()

    assert f"{reverse('admin:order_add')}?company={catalog['company'].sk}" in page


def test_company_list__lists_companies_with_links(client, login, catalog):
    login(permissions.VIEWERS)

    page = client.get(reverse("admin:company_list")).content.decode()

    assert reverse("admin:company_detail", args=[catalog["company"].sk]) in page and catalog["postpaid"].name in page
    assert reverse("admin:company_add") not in page


def test_company_pages__cnpj_punctuated_on_the_list_and_the_company_page(client, login):
    login(permissions.VIEWERS)
    company = company_create(name=f"Obras {uuid.uuid4().hex[:6]}", billing="postpaid", cnpj="11222333000181")

    listed = client.get(reverse("admin:company_list")).content.decode()
    detail = client.get(reverse("admin:company_detail", args=[company.sk])).content.decode()

    row = listed.split(reverse("admin:company_detail", args=[company.sk]), 1)[1].split("</tr>", 1)[0]
    assert "<td>11.222.333/0001-81</td>" in row
    assert "11.222.333/0001-81" in detail and "11222333000181" not in detail


def test_company_list__supervisor__add_button(client, login):
    login(permissions.SUPERVISORS)

    assert reverse("admin:company_add") in client.get(reverse("admin:company_list")).content.decode()


def test_course_add__valid__listed(client, login):
    login(permissions.SUPERVISORS)
    name = f"NR-33 {uuid.uuid4().hex[:6]}"

    response = client.post(
        reverse("admin:course_add"),
        {"name": name, "access_period_days": "60", "certificate_validity_days": "365", "token": str(uuid.uuid4())},
        follow=True,
    )

    assert name in response.content.decode()
    assert any(course.name == name and course.access_period_days == 60 for course in selectors.course_list())


def test_course_add__zero_days__field_error(client, login):
    login(permissions.SUPERVISORS)

    response = client.post(
        reverse("admin:course_add"),
        {"name": "X", "access_period_days": "0", "certificate_validity_days": "365", "token": str(uuid.uuid4())},
    )

    assert response.context["form"].errors["access_period_days"]


def test_order_add__valid__seats_added_to_the_company(client, login, catalog):
    login(permissions.OPERATORS)
    data = {"company": catalog["company"].sk, "course": catalog["course"].sk, "seats": "4", "token": str(uuid.uuid4())}

    response = client.post(reverse("admin:order_add"), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:company_detail", args=[catalog["company"].sk])
    assert selectors.seats_left(tenant_id=catalog["company"].sk, course_id=catalog["course"].sk) == 7
    assert "seats created." in response.content.decode()


def test_order_add__postpaid_company__not_a_choice(client, login, catalog):
    login(permissions.OPERATORS)

    response = client.post(
        reverse("admin:order_add"),
        {"company": catalog["postpaid"].sk, "course": catalog["course"].sk, "seats": "4", "token": str(uuid.uuid4())},
    )

    assert response.context["form"].errors["company"]
    assert selectors.seats_left(tenant_id=catalog["postpaid"].sk, course_id=catalog["course"].sk) == 0


def test_order_list__company_chosen__shows_its_seats(client, login, catalog):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:order_list"), {"company": catalog["company"].sk})

    assert response.context["seats"][0]["left"] == 3


@pytest.mark.django_db(transaction=True)
def test_company_add__sent_twice_at_once__one_company_both_show_it(client, login):
    sync_groups()
    login(permissions.SUPERVISORS)
    name = f"Obras {uuid.uuid4().hex[:6]}"
    data = {"name": name, "billing": "prepaid", "cnpj": "", "token": str(uuid.uuid4())}

    responses = post_at_once(client, reverse("admin:company_add"), data)

    [company] = [c for c in selectors.company_list() if c.name == name]
    assert company.sk == data["token"]
    assert [r["Location"] for r in responses] == [reverse("admin:company_detail", args=[company.sk])] * 2


@pytest.mark.django_db(transaction=True)
def test_course_add__sent_twice__one_course(client, login):
    sync_groups()
    login(permissions.SUPERVISORS)
    name = f"NR-33 {uuid.uuid4().hex[:6]}"
    data = {"name": name, "access_period_days": "60", "certificate_validity_days": "365", "token": str(uuid.uuid4())}

    responses = post_at_once(client, reverse("admin:course_add"), data)

    assert [course.name for course in selectors.course_list()].count(name) == 1
    assert [r.status_code for r in responses] == [302, 302]


@pytest.mark.django_db(transaction=True)
def test_order_add__sent_twice_at_once__seats_bought_once(client, login, catalog):
    sync_groups()
    login(permissions.OPERATORS)
    company, course = catalog["company"], catalog["course"]
    data = {"company": company.sk, "course": course.sk, "seats": "40", "token": str(uuid.uuid4())}

    responses = post_at_once(client, reverse("admin:order_add"), data)

    assert selectors.seats_left(tenant_id=company.sk, course_id=course.sk) == 3 + 40
    assert len(selectors.order_list(tenant_id=company.sk)) == 2  # the fixture's and this one
    assert [r["Location"] for r in responses] == [reverse("admin:company_detail", args=[company.sk])] * 2


def test_company_add__damaged_token__form_error_nothing_created(client, login):
    login(permissions.SUPERVISORS)
    name = f"Obras {uuid.uuid4().hex[:6]}"

    response = client.post(reverse("admin:company_add"), {"name": name, "billing": "prepaid", "token": "x"})

    assert "The form was damaged; reload the page." in response.content.decode()
    assert not [c for c in selectors.company_list() if c.name == name]
