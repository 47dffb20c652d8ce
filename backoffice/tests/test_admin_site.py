import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from backoffice.admin_site import BackofficeAdminSite, Section


def _imports_urls(wrap):
    return [path("", wrap(lambda request: HttpResponse("imports")), name="import_list")]


IMPORTS = Section(
    slug="imports", name="Imports", urls=_imports_urls, permission="enrollments.enroll", list_url="import_list"
)


def test_register_section__urls_under_backoffice_and_named_in_the_site_namespace():
    site = BackofficeAdminSite(name="test_admin")
    site.register_section(IMPORTS)

    patterns = site.get_urls()

    included = [p for p in patterns if str(p.pattern) == "backoffice/" and hasattr(p, "url_patterns")]
    names = [inner.name for outer in included[0].url_patterns for inner in outer.url_patterns]
    assert names == ["import_list"]


def test_register_section__same_slug_twice__refused():
    site = BackofficeAdminSite(name="test_admin")
    site.register_section(IMPORTS)

    with pytest.raises(ImproperlyConfigured):
        site.register_section(IMPORTS)


@pytest.mark.django_db
def test_app_list__section_shown_only_with_its_permission(django_user_model):
    from django.contrib import admin
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="s", password="x", is_staff=True)
    request = RequestFactory().get("/admin/")
    request.user = user
    assert admin.site.get_app_list(request) == []

    user.user_permissions.add(Permission.objects.get(codename="view_backoffice"))
    request.user = django_user_model.objects.get(pk=user.pk)  # a fresh permission cache
    app = admin.site.get_app_list(request)[0]

    assert app["app_label"] == "backoffice"
    assert [model["object_name"] for model in app["models"]] == [
        "enrollments",
        "companies",
        "courses",
        "orders",
        "imports",
    ]
    assert all(model["add_url"] is None for model in app["models"])


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["enrollments.backoffice", "auth.user"])
def test_view_on_site__not_served__answers_the_admins_not_found(client, django_user_model, model):
    """No public site: the admin's /r/<content type>/<id>/ redirect has nowhere to go (and the unmanaged model has no table)."""
    from django.contrib.contenttypes.models import ContentType

    staff = django_user_model.objects.create_superuser(username="boss", password="x", email="boss@example.com")
    content_type = ContentType.objects.get_by_natural_key(*model.split("."))
    client.force_login(staff)

    response = client.get(f"/admin/r/{content_type.pk}/{staff.pk}/")

    assert response.status_code == 404
