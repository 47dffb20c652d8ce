"""Every back-office URL: anonymous, logged in without the permission, with the permission."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from enrollments import permissions

pytestmark = pytest.mark.django_db

# (url name, argument, group lacking the permission, group holding it)
URLS = [
    ("backoffice_index", None, None, permissions.VIEWERS),
    ("enrollment_list", None, None, permissions.VIEWERS),
    ("enrollment_detail", "enrollment", None, permissions.VIEWERS),
    ("enrollment_add", None, permissions.VIEWERS, permissions.OPERATORS),
    ("enrollment_cancel", "enrollment", permissions.VIEWERS, permissions.OPERATORS),
    ("enrollment_complete", "enrollment", permissions.VIEWERS, permissions.OPERATORS),
    ("company_list", None, None, permissions.VIEWERS),
    ("company_detail", "company", None, permissions.VIEWERS),
    ("company_add", None, permissions.OPERATORS, permissions.SUPERVISORS),
    ("course_list", None, None, permissions.VIEWERS),
    ("course_add", None, permissions.OPERATORS, permissions.SUPERVISORS),
    ("order_list", None, None, permissions.VIEWERS),
    ("order_add", None, permissions.VIEWERS, permissions.OPERATORS),
    ("digest_contact_add", "company", permissions.OPERATORS, permissions.SUPERVISORS),
    ("digest_preview", "company", None, permissions.VIEWERS),
    ("renewal_pending", "company", None, permissions.VIEWERS),
    ("webhook_add", "company", permissions.OPERATORS, permissions.SUPERVISORS),
    ("webhook_events", "company", permissions.OPERATORS, permissions.SUPERVISORS),
]
IDS = [name for name, *_rest in URLS]


@pytest.fixture
def url_of(catalog, enrollment):
    def url(name, argument):
        args = {"enrollment": [enrollment.id], "company": [catalog["company"].sk], None: []}[argument]
        return reverse(f"admin:{name}", args=args)

    return url


@pytest.mark.parametrize("name, argument, _lacking, _holding", URLS, ids=IDS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_url__anonymous__redirects_to_login(client, url_of, name, argument, _lacking, _holding, method):
    url = url_of(name, argument)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("name, argument, lacking, _holding", URLS, ids=IDS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_url__logged_in_without_permission__403_page(client, login, url_of, name, argument, lacking, _holding, method):
    login(lacking)

    response = getattr(client, method)(url_of(name, argument))

    assert response.status_code == 403
    assert "Permission denied" in response.content.decode()
    assert "admin/css/base.css" in response.content.decode()


@pytest.mark.parametrize("name, argument, _lacking, holding", URLS, ids=IDS)
def test_url__with_permission__200(client, login, url_of, name, argument, _lacking, holding):
    login(holding)

    response = client.get(url_of(name, argument))

    assert response.status_code == 200


def test_url__non_staff_user__redirects_to_login(client, staff_user, url_of):
    user = staff_user(permissions.SUPERVISORS)
    user.is_staff = False
    user.save()
    client.force_login(user)

    response = client.get(url_of("enrollment_list", None))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_groups__migration__gives_each_group_its_permissions():
    def perms(name):
        return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()}

    assert perms(permissions.VIEWERS) == {permissions.VIEW}
    assert perms(permissions.OPERATORS) == {
        permissions.VIEW,
        permissions.ENROLL,
        permissions.CANCEL,
        permissions.RECORD_COMPLETION,
        permissions.CREATE_ORDER,
    }
    assert perms(permissions.SUPERVISORS) == perms(permissions.OPERATORS) | {
        permissions.MANAGE_COMPANIES,
        permissions.MANAGE_COURSES,
    }


@pytest.mark.parametrize(
    "name, argument",
    [
        ("enrollment_add", None),
        ("enrollment_cancel", "enrollment"),
        ("company_add", None),
        ("course_add", None),
        ("order_add", None),
        ("enrollment_complete", "enrollment"),
    ],
)
def test_form__post_without_csrf_token__refused(staff_user, url_of, name, argument):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user(permissions.SUPERVISORS))
    url = url_of(name, argument)

    page = client.get(url)
    response = client.post(url, {"reason": "x", "name": "x"})

    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert response.status_code == 403 and "CSRF" in response.content.decode()


def test_admin_index__viewer__sees_back_office_sections_without_add_links(client, login):
    login(permissions.VIEWERS)

    page = client.get(reverse("admin:index")).content.decode()

    for name in ("enrollment_list", "company_list", "course_list", "order_list"):
        assert reverse(f"admin:{name}") in page
    assert reverse("admin:enrollment_add") not in page
    assert reverse("admin:auth_user_changelist") not in page


def test_admin_index__superuser__keeps_users_and_groups_and_sees_add_links(client, staff_user):
    user = staff_user()
    user.is_superuser = True
    user.save()
    client.force_login(user)

    page = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:auth_user_changelist") in page and reverse("admin:auth_group_changelist") in page
    for name in ("enrollment_add", "company_add", "course_add", "order_add"):
        assert reverse(f"admin:{name}") in page


def test_url__dynamodb_unreachable__503_page_not_a_server_error(client, login, dynamodb_down):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_list"))

    assert response.status_code == 503
    assert "The database is not answering" in response.content.decode()
    assert "admin/css/base.css" in response.content.decode()


def test_url__dynamodb_stalled__503_page_instead_of_waiting(client, login, dynamodb_stalled):
    login(permissions.VIEWERS)

    response = client.get(reverse("admin:enrollment_list"))

    assert response.status_code == 503
    assert "The database is not answering" in response.content.decode()
    # One connection an attempt: the page sent its call DYNAMODB_MAX_ATTEMPTS times, waited for answers that never
    # came, and stopped.
    assert len(dynamodb_stalled) == 2
