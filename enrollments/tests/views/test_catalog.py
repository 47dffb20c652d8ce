"""Company, course and order pages."""

import re
import uuid

import pytest
from django.urls import reverse

from enrollments import permissions, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import CompanyItem
from enrollments.permissions import sync_groups
from enrollments.services import company_create, course_create, enroll, order_create
from enrollments.services.catalog import company_update, course_retire, course_update
from enrollments.tests.catalog_support import telling_phrases
from enrollments.tests.factories import STAFF, make_cnpj, make_company, make_course, make_person
from enrollments.tests.request_support import post_at_once
from enrollments.validators import normalize_cnpj

pytestmark = pytest.mark.django_db


def test_company_add__valid__creates_and_shows_the_company_with_its_creation_in_its_history(client, login):
    user = login(permissions.SUPERVISORS)
    name, cnpj = f"Obras {uuid.uuid4().hex[:6]}", make_cnpj()

    response = client.post(
        reverse("admin:company_add"),
        {"name": name, "billing": "prepaid", "cnpj": cnpj, "token": str(uuid.uuid4())},
        follow=True,
    )

    company = next(c for c in selectors.company_list() if c.name == name)
    assert response.redirect_chain[-1][0] == reverse("admin:company_detail", args=[company.id])
    assert company.cnpj == normalize_cnpj(cnpj) and f"Company {name} created." in response.content.decode()
    (created,) = selectors.company_history(company.id)
    assert (created.action, created.author.id) == ("COMPANY_CREATED", str(user.pk))


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
    CompanyItem(*keys.company(company.id)).update(actions=[CompanyItem.language.remove()])

    page = client.get(reverse("admin:company_detail", args=[company.id]), HTTP_ACCEPT_LANGUAGE="en").content

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
    orders = response.content.decode().split('id="orders"', 1)[1]
    assert f"<td>{catalog['course'].name}</td><td>3</td>" in orders and catalog["order"].order_id not in orders
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
    cnpj = make_cnpj()
    company = company_create(name=f"Obras {uuid.uuid4().hex[:6]}", billing="postpaid", cnpj=normalize_cnpj(cnpj))

    listed = client.get(reverse("admin:company_list")).content.decode()
    detail = client.get(reverse("admin:company_detail", args=[company.id])).content.decode()

    row = listed.split(reverse("admin:company_detail", args=[company.id]), 1)[1].split("</tr>", 1)[0]
    assert f'<td class="cnpj"><span class="nowrap">{cnpj}</span></td>' in row
    assert cnpj in detail and normalize_cnpj(cnpj) not in detail


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
    assert [str(message) for message in response.context["messages"]] == [
        f"Order of 4 seats of {catalog['course'].name} created."
    ]


@pytest.mark.parametrize(
    "language, purchase_order, seats, said",
    [
        ("en", "PO-2026/17", "1", "Order “PO-2026/17” created: 1 seat of {course}."),
        ("en", "PO-2026/17", "1200", "Order “PO-2026/17” created: 1,200 seats of {course}."),
        ("en", "", "1", "Order of 1 seat of {course} created."),
        ("pt-br", "PO-2026/17", "1", "Pedido “PO-2026/17” criado: 1 vaga de {course}."),
        ("pt-br", "PO-2026/17", "1200", "Pedido “PO-2026/17” criado: 1.200 vagas de {course}."),
        ("pt-br", "", "1", "Pedido de 1 vaga de {course} criado."),
        ("pt-br", "", "3", "Pedido de 3 vagas de {course} criado."),
    ],
)
def test_order_add__created__message_names_the_order_by_its_purchase_order_or_its_seats_never_its_id(
    client, login, catalog, language, purchase_order, seats, said
):
    login(permissions.OPERATORS)
    token = str(uuid.uuid4())
    data = {"company": catalog["company"].sk, "course": catalog["course"].sk, "seats": seats, "token": token}

    response = client.post(
        reverse("admin:order_add"),
        {**data, "purchase_order": purchase_order},
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert [str(message) for message in response.context["messages"]] == [said.format(course=catalog["course"].name)]
    assert selectors.order_find(token).purchase_order == (purchase_order or None)


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
    assert company.id == data["token"]
    assert [r["Location"] for r in responses] == [reverse("admin:company_detail", args=[company.id])] * 2


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
    data = {"company": company.id, "course": course.id, "seats": "40", "token": str(uuid.uuid4())}

    responses = post_at_once(client, reverse("admin:order_add"), data)

    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 3 + 40
    assert len(selectors.order_list(tenant_id=company.id)) == 2  # the fixture's and this one
    assert [r["Location"] for r in responses] == [reverse("admin:company_detail", args=[company.id])] * 2


def test_company_add__damaged_token__form_error_nothing_created(client, login):
    login(permissions.SUPERVISORS)
    name = f"Obras {uuid.uuid4().hex[:6]}"

    response = client.post(reverse("admin:company_add"), {"name": name, "billing": "prepaid", "token": "x"})

    assert "The form was damaged; reload the page." in response.content.decode()
    assert not [c for c in selectors.company_list() if c.name == name]


# Catalog edits: the edit pages, the history on the company's and course's pages, retire and restore, purchase orders.


def _company_edit_data(company, **overrides):
    data = {"name": company.name, "cnpj": "", "language": "pt-br", "revision": str(int(company.revision or 0))}
    data.update(overrides)
    return data


def _course_edit_data(course, **overrides):
    data = {
        "name": course.name,
        "access_period_days": str(course.access_period_days),
        "certificate_validity_days": str(course.certificate_validity_days),
        "revision": str(int(course.revision or 0)),
    }
    data.update(overrides)
    return data


def test_company_edit__name_cnpj_language__saved_and_the_history_shows_who_when_old_to_new(client, login, frozen_clock):
    user = login(permissions.SUPERVISORS)
    company = company_create(name="Acme Ltda", billing="postpaid", language="pt-br")
    cnpj = make_cnpj()

    response = client.post(
        reverse("admin:company_edit", args=[company.id]),
        _company_edit_data(company, name="Acme S.A.", cnpj=normalize_cnpj(cnpj), language="en"),
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:company_detail", args=[company.id])
    assert "Company Acme S.A. saved." in page
    history = page.split('id="history"', 1)[1]
    assert user.get_full_name() in history and "Company edited" in history
    assert "Name: Acme Ltda → Acme S.A." in history
    assert f"CNPJ: — → {cnpj}" in history
    assert "Email language: Brazilian Portuguese → English" in history


def test_company_edit__form__starts_with_the_company_s_values(client, login):
    login(permissions.SUPERVISORS)
    cnpj = make_cnpj()
    company = company_create(name="Acme Ltda", billing="postpaid", cnpj=normalize_cnpj(cnpj), language="en")

    form = client.get(reverse("admin:company_edit", args=[company.id])).context["form"]

    assert (form["name"].value(), form["cnpj"].value(), form["language"].value(), form["revision"].value()) == (
        "Acme Ltda",
        cnpj,
        "en",
        0,
    )


def test_company_edit__someone_changed_it_meanwhile__form_error_their_change_kept(client, login):
    login(permissions.SUPERVISORS)
    company = company_create(name="Acme Ltda", billing="postpaid", language="pt-br")
    stale = _company_edit_data(company, name="Mine")
    company_update(company_id=company.id, name="Theirs", cnpj=None, language="pt-br", revision=0, author=STAFF)

    response = client.post(reverse("admin:company_edit", args=[company.id]), stale)

    assert response.status_code == 200
    assert "Someone changed it meanwhile" in response.context["form"].non_field_errors()[0]
    assert selectors.company_get(company.id).name == "Theirs"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_company_edit__two_stale_edits_at_once__one_saved_the_other_told(client, login):
    sync_groups()
    login(permissions.SUPERVISORS)
    company = company_create(name="Acme Ltda", billing="postpaid", language="pt-br")
    url = reverse("admin:company_edit", args=[company.id])

    first, second = post_at_once(client, url, _company_edit_data(company, name="Acme S.A."))

    # The same values twice: the first saves, the second finds a newer revision and says so.
    assert sorted(r.status_code for r in (first, second)) == [200, 302]
    assert selectors.company_get(company.id).name == "Acme S.A."
    assert len(selectors.company_history(company.id)) == 1


def test_company_edit__operator__403(client, login):
    login(permissions.OPERATORS)
    company = company_create(name="Acme Ltda", billing="postpaid")

    assert client.get(reverse("admin:company_edit", args=[company.id])).status_code == 403


def test_company_detail__edit_link_for_supervisors_only(client, login):
    company = company_create(name="Acme Ltda", billing="postpaid")
    url = reverse("admin:company_edit", args=[company.id])

    login(permissions.VIEWERS)
    assert url not in client.get(reverse("admin:company_detail", args=[company.id])).content.decode()
    login(permissions.SUPERVISORS)
    assert url in client.get(reverse("admin:company_detail", args=[company.id])).content.decode()


def test_course_edit__periods_saved_for_future_enrollments_and_shown_in_the_history(client, login, catalog, enrollment):
    login(permissions.SUPERVISORS)
    course = catalog["course"]

    response = client.post(
        reverse("admin:course_edit", args=[course.id]),
        _course_edit_data(course, name="NR-35 (2026)", access_period_days="30"),
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:course_detail", args=[course.id])
    assert "Course NR-35 (2026) saved." in page
    history = page.split('id="history"', 1)[1]
    assert f"Name: {course.name} → NR-35 (2026)" in history and "Access period (days): 90 → 30" in history
    assert "Certificate validity" not in history  # unchanged
    assert selectors.enrollment_get(enrollment.id).course.access_period_days == 90


def test_course_edit__someone_changed_it_meanwhile__form_error(client, login):
    login(permissions.SUPERVISORS)
    course = course_create(name="NR-10", access_period_days=90, certificate_validity_days=365)
    stale = _course_edit_data(course, name="Mine")
    course_update(
        course_id=course.id,
        name="Theirs",
        access_period_days=90,
        certificate_validity_days=365,
        revision=0,
        author=STAFF,
    )

    response = client.post(reverse("admin:course_edit", args=[course.id]), stale)

    assert "Someone changed it meanwhile" in response.context["form"].non_field_errors()[0]
    assert selectors.course_get(course.id).name == "Theirs"


def test_course_retire__page_marks_it_retired_list_too_history_says_who(client, login):
    user = login(permissions.SUPERVISORS)
    course = course_create(name=f"NR-10 {uuid.uuid4().hex[:6]}", access_period_days=90, certificate_validity_days=365)

    response = client.post(reverse("admin:course_retire_view", args=[course.id]), follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:course_detail", args=[course.id])
    assert "Retired on" in page.split('id="course-status"', 1)[1].split("</dd>", 1)[0]
    assert "Course retired: no new enrollments" in page and user.get_full_name() in page
    assert reverse("admin:course_restore_view", args=[course.id]) in page
    listed = client.get(reverse("admin:course_list")).content.decode()
    row = listed.split(reverse("admin:course_detail", args=[course.id]), 1)[1].split("</tr>", 1)[0]
    assert "(retired)" in row


def test_course_restore__takes_enrollments_again_history_shows_both(client, login):
    login(permissions.SUPERVISORS)
    course = course_create(name="NR-10", access_period_days=90, certificate_validity_days=365)
    client.post(reverse("admin:course_retire_view", args=[course.id]))

    page = client.post(reverse("admin:course_restore_view", args=[course.id]), follow=True).content.decode()

    assert selectors.course_get(course.id).retired_at is None
    assert "Open: takes new enrollments." in page
    assert "Course restored: takes new enrollments again" in page and "Course retired: no new enrollments" in page


def test_course_retire__get__not_allowed_nothing_changed(client, login):
    login(permissions.SUPERVISORS)
    course = course_create(name="NR-10", access_period_days=90, certificate_validity_days=365)

    assert client.get(reverse("admin:course_retire_view", args=[course.id])).status_code == 405
    assert selectors.course_get(course.id).retired_at is None


def test_course_retire__operator__403_nothing_changed(client, login):
    login(permissions.OPERATORS)
    course = course_create(name="NR-10", access_period_days=90, certificate_validity_days=365)

    assert client.post(reverse("admin:course_retire_view", args=[course.id])).status_code == 403
    assert selectors.course_get(course.id).retired_at is None


def test_enroll_form__retired_course__refused_on_the_course_field(client, login, catalog):
    login(permissions.OPERATORS)
    course_retire(course_id=catalog["course"].sk, author=STAFF)
    token = uuid.uuid4().hex[:8]
    data = {
        "company": catalog["company"].sk,
        "course": catalog["course"].sk,
        "name": f"Ana {token}",
        "email": f"ana.{token}@example.com",
        "cpf": "",
        "deduplication_window_days": "",
        "enrollment_id": str(uuid.uuid4()),
    }

    response = client.post(reverse("admin:enrollment_add"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["course"] == [
        f"The course {catalog['course'].name} is retired: it takes no new enrollments."
    ]
    assert selectors.seats_left(tenant_id=catalog["company"].sk, course_id=catalog["course"].sk) == 3


def test_order_add__purchase_order__shown_on_the_company_page_and_the_order_list(client, login, catalog):
    login(permissions.OPERATORS)
    company = catalog["company"]
    data = {"company": company.id, "course": catalog["course"].sk, "seats": "2", "token": str(uuid.uuid4())}

    client.post(reverse("admin:order_add"), {**data, "purchase_order": "PO-2026/17"})

    order = selectors.order_find(data["token"])
    assert order.purchase_order == "PO-2026/17"
    for page in (
        client.get(reverse("admin:company_detail", args=[company.id])),
        client.get(reverse("admin:order_list"), {"company": company.id}),
    ):
        html = page.content.decode()
        assert '<td class="purchase-order">PO-2026/17</td>' in html and order.order_id not in html


def test_order_add__retired_course__not_a_choice(client, login, catalog):
    login(permissions.OPERATORS)
    course_retire(course_id=catalog["course"].sk, author=STAFF)

    response = client.post(
        reverse("admin:order_add"),
        {"company": catalog["company"].sk, "course": catalog["course"].sk, "seats": "4", "token": str(uuid.uuid4())},
    )

    assert response.context["form"].errors["course"]


def test_enrollment_detail__seat_line__names_the_order_s_purchase_order(client, login):
    login(permissions.VIEWERS)
    company, course = make_company(), make_course()
    order_create(tenant_id=company.id, course_id=course.id, seats=1, author=STAFF, purchase_order="PO-77")
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    page = client.get(reverse("admin:enrollment_detail", args=[enrollment.id])).content.decode()

    seat = page.split('id="enrollment-seat"', 1)[1].split("</dd>", 1)[0]
    assert "One seat of the order “PO-77” (1 seat bought on" in seat


def test_catalog_pages__pt_br__history_retired_and_purchase_order_in_portuguese_no_english_phrase(
    client, login, settings
):
    settings.LANGUAGE_CODE = "pt-br"
    login(permissions.SUPERVISORS)
    company = company_create(name="Acme Ltda", billing="prepaid", language="pt-br")
    course = course_create(name="NR-10", access_period_days=90, certificate_validity_days=365)
    cnpj = make_cnpj()
    # The company keeps pt-BR: the enrollment page previews its learners' emails in the company's language.
    company_update(company_id=company.id, name="Acme S.A.", cnpj=cnpj, language="pt-br", revision=0, author=STAFF)
    course_update(
        course_id=course.id,
        name="NR-10",
        access_period_days=30,
        certificate_validity_days=365,
        revision=0,
        author=STAFF,
    )
    order_create(tenant_id=company.id, course_id=course.id, seats=1, author=STAFF, purchase_order="PO-9")
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    course_retire(course_id=course.id, author=STAFF)
    english, _portuguese = telling_phrases()

    pages = {
        url: re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        for url in (
            reverse("admin:company_detail", args=[company.id]),
            reverse("admin:company_edit", args=[company.id]),
            reverse("admin:course_list"),
            reverse("admin:course_detail", args=[course.id]),
            reverse("admin:course_edit", args=[course.id]),
            reverse("admin:order_add"),
            reverse("admin:enrollment_detail", args=[enrollment.id]),
        )
    }

    assert {url: [phrase for phrase in english if phrase in text] for url, text in pages.items()} == dict.fromkeys(
        pages, []
    )
    company_page, course_page = (
        pages[reverse("admin:company_detail", args=[company.id])],
        pages[reverse("admin:course_detail", args=[course.id])],
    )
    assert "Empresa editada" in company_page and f"CNPJ: — → {cnpj}" in company_page
    assert "Curso desativado: sem novas matrículas" in course_page and "Desativado em" in course_page
    assert "Prazo de acesso" in course_page and "90 → 30" in course_page
    assert "(desativado)" in pages[reverse("admin:course_list")]
    assert "Uma vaga do pedido “PO-9”" in pages[reverse("admin:enrollment_detail", args=[enrollment.id])]


def test_enroll_and_import_forms__retired_course__not_offered(client, login, catalog):
    login(permissions.OPERATORS)
    open_course = catalog["course"]
    retired = course_create(name=f"Retired {uuid.uuid4().hex[:6]}", access_period_days=30, certificate_validity_days=30)
    course_retire(course_id=retired.sk, author=STAFF)

    for name in ("admin:enrollment_add", "admin:import_add"):
        page = client.get(reverse(name)).content.decode()
        assert f'value="{open_course.id}"' in page and f'value="{retired.sk}"' not in page, name


def test_course_add__renewal_window_and_esocial_code__saved_and_shown_on_its_page(client, login):
    login(permissions.SUPERVISORS)
    name = f"NR-10 {uuid.uuid4().hex[:6]}"
    form = client.get(reverse("admin:course_add")).context["form"]
    assert form["renewal_window_days"].value() == 60  # the default, ready to keep

    client.post(
        reverse("admin:course_add"),
        {
            "name": name,
            "access_period_days": "60",
            "certificate_validity_days": "730",
            "renewal_window_days": "90",
            "esocial_code": "1006",
            "token": str(uuid.uuid4()),
        },
    )

    course = next(course for course in selectors.course_list() if course.name == name)
    assert (course.renewal_window_days, course.esocial_code) == (90, "1006")
    page = client.get(reverse("admin:course_detail", args=[course.id])).content.decode()
    window = page.split('id="course-renewal-window"', 1)[1].split("</dd>", 1)[0]
    assert "From 90 days before the certificate expires" in window and "default" not in window
    assert page.split('id="course-esocial-code">', 1)[1].startswith("1006</dd>")


def test_course_add__esocial_code_of_3_digits__error_on_its_field_nothing_created(client, login):
    login(permissions.SUPERVISORS)
    name = f"NR-12 {uuid.uuid4().hex[:6]}"

    response = client.post(
        reverse("admin:course_add"),
        {
            "name": name,
            "access_period_days": "60",
            "certificate_validity_days": "365",
            "esocial_code": "120",
            "token": str(uuid.uuid4()),
        },
    )

    assert "exactly 4 digits" in response.context["form"].errors["esocial_code"][0]
    assert name not in {course.name for course in selectors.course_list()}


def test_course_edit__window_and_code__saved_in_the_history_default_marked_until_then(client, login):
    login(permissions.SUPERVISORS)
    course = course_create(name="NR-35", access_period_days=90, certificate_validity_days=730)
    before = client.get(reverse("admin:course_detail", args=[course.id])).content.decode()
    assert "From 60 days before the certificate expires (the default)" in before
    assert (
        client.get(reverse("admin:course_edit", args=[course.id])).context["form"]["renewal_window_days"].value() == 60
    )

    response = client.post(
        reverse("admin:course_edit", args=[course.id]),
        _course_edit_data(course, renewal_window_days="120", esocial_code="1209"),
        follow=True,
    )

    history = response.content.decode().split('id="history"', 1)[1]
    assert "Renewal window (days before expiry): 60 → 120" in history
    assert "eSocial code (table 28): — → 1209" in history
    stored = selectors.course_get(course.id)
    assert (stored.renewal_window_days, stored.esocial_code) == (120, "1209")


def test_course_edit__window_over_730_days__error_on_its_field(client, login):
    login(permissions.SUPERVISORS)
    course = course_create(name="NR-33", access_period_days=90, certificate_validity_days=365)

    response = client.post(
        reverse("admin:course_edit", args=[course.id]), _course_edit_data(course, renewal_window_days="731")
    )

    assert response.context["form"].errors["renewal_window_days"]
    assert selectors.course_get(course.id).renewal_window_days is None
