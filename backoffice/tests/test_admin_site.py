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


def _view(name):
    def view(request):
        return HttpResponse(name)

    view.__name__ = name
    return view


def _url_names(site) -> list[str]:
    included = [p for p in site.get_urls() if str(p.pattern) == "backoffice/" and hasattr(p, "url_patterns")]
    return [inner.name for outer in included[0].url_patterns for inner in outer.url_patterns]


def test_of_views__without_add_view__list_and_more_only_and_no_add_url():
    site = BackofficeAdminSite(name="test_admin")
    section = Section.of_views(
        slug="failures",
        name="Failed emails",
        permission="enrollments.view_backoffice",
        list_view=_view("failure_list"),
        order=60,
        more=[("resend/", _view("failure_resend"))],
    )
    site.register_section(section)

    assert _url_names(site) == ["failure_list", "failure_resend"]
    assert (section.add_url, section.add_permission) == (None, None)


def test_of_views__with_add_view__add_page_at_add_as_before():
    site = BackofficeAdminSite(name="test_admin")
    section = Section.of_views(
        slug="courses",
        name="Courses",
        permission="enrollments.view_backoffice",
        list_view=_view("course_list"),
        add_view=_view("course_add"),
        add_permission="enrollments.manage_courses",
        order=30,
    )
    site.register_section(section)

    assert _url_names(site) == ["course_list", "course_add"]
    assert (section.add_url, section.add_permission) == ("course_add", "enrollments.manage_courses")


def test_of_views__add_view_without_its_permission__refused():
    with pytest.raises(ImproperlyConfigured):
        Section.of_views(
            slug="courses",
            name="Courses",
            permission="enrollments.view_backoffice",
            list_view=_view("course_list"),
            add_view=_view("course_add"),
            order=30,
        )


@pytest.mark.django_db
def test_app_list__section_without_add_view__no_add_link_even_for_a_superuser(django_user_model):
    from django.contrib import admin

    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser(username="root", password="x", email="r@example.com")

    models = {model["object_name"]: model for model in admin.site.get_app_list(request)[0]["models"]}

    assert models["failures"]["add_url"] is None and models["failures"]["name"] == "Failed emails"
    assert models["courses"]["add_url"] == "/admin/backoffice/courses/add/"


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
        "bulk-cancels",
        "failures",
        "reports",
        "renewals",
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


@pytest.mark.django_db
def test_section_with_available__answers_404_and_is_not_listed_while_unavailable(django_user_model):
    from django.contrib.auth.models import Permission
    from django.http import Http404

    available = {"now": True}
    site = BackofficeAdminSite(name="test_admin")
    site.register_section(
        Section.of_views(
            slug="outbox",
            name="Outbox",
            permission="enrollments.view_backoffice",
            list_view=_view("outbox_list"),
            order=90,
            available=lambda: available["now"],
        )
    )
    included = [p for p in site.get_urls() if str(p.pattern) == "backoffice/" and hasattr(p, "url_patterns")]
    [view] = [inner.callback for outer in included[0].url_patterns for inner in outer.url_patterns]
    user = django_user_model.objects.create_user(username="s", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_backoffice"))
    request = RequestFactory().get("/admin/backoffice/outbox/")
    request.user = django_user_model.objects.get(pk=user.pk)

    assert view(request).content == b"outbox_list"

    available["now"] = False
    with pytest.raises(Http404):
        view(request)
    assert site.backoffice_app(request) is None
