"""The admin site of the back office: Django's admin plus sections over DynamoDB data.

Domain data is not in Django's ORM, so it cannot be a ``ModelAdmin``. A
``Section`` brings its own URLs (wrapped by ``admin_view``: staff login, CSRF,
no cache) and shows on the admin index and in the sidebar like a model does,
to staff holding its permission. Apps add sections from their ``admin.py``:

    admin.site.register_section(Section.of_views(slug="imports", name=_("Imports"), ...))

A section with ``available`` (a function of no arguments) shows, and answers, only while it returns true: the
development outbox's, which a test can turn off with ``settings.DEBUG = False``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from backoffice.security import policy
from backoffice.security import views as security_views

APP_LABEL = "backoffice"


@dataclass(frozen=True)
class Section:
    """One area of the back office (enrollments, companies...).

    ``urls`` receives the site's ``admin_view`` and returns the section's URL
    patterns, relative to ``admin/backoffice/<slug>/``; their names live in the
    ``admin`` namespace. ``list_url`` and ``add_url`` name the section's main page
    and its "Add" page; each shows only to users with ``permission`` and
    ``add_permission``; with ``available``, only while ``available()`` is true (its URLs answer 404 otherwise).
    """

    slug: str
    name: str
    urls: Callable[[Callable], list]
    permission: str
    list_url: str
    add_url: str | None = None
    add_permission: str | None = None
    order: int = 100
    available: Callable[[], bool] | None = None

    def is_available(self) -> bool:
        return self.available is None or self.available()

    @classmethod
    def of_views(
        cls,
        *,
        slug: str,
        name,
        permission: str,
        list_view,
        add_view=None,
        add_permission: str | None = None,
        order: int,
        more=(),
        available: Callable[[], bool] | None = None,
    ) -> "Section":
        """Return a section of views: its list at ``""``, its add page (if any) at ``add/``, then each ``(route, view)``
        of ``more``.

        Every URL is named after its view (``admin:<view name>``). Without ``add_view`` the section has no "Add" link.
        """
        if (add_view is None) != (add_permission is None):
            raise ImproperlyConfigured(f"Section {slug!r}: give both add_view and add_permission, or neither.")
        routes = [("", list_view), *([("add/", add_view)] if add_view else []), *more]

        def urls(wrap):
            return [path(route, wrap(view), name=view.__name__) for route, view in routes]

        return cls(
            slug=slug,
            name=name,
            urls=urls,
            permission=permission,
            list_url=list_view.__name__,
            add_url=add_view.__name__ if add_view else None,
            add_permission=add_permission,
            order=order,
            available=available,
        )


class BackofficeAdminSite(admin.AdminSite):
    site_header = _("Enrollment back office")
    site_title = _("Enrollment back office")
    index_title = _("Back office")
    # No public site: the admin is the whole application.
    site_url = None
    # Django's, with "Recent actions" from the back office's own audit trail instead of its LogEntry.
    index_template = "admin/backoffice/index.html"

    def __init__(self, name="admin"):
        super().__init__(name)
        self._sections: dict[str, Section] = {}
        self._index_context: list[Callable] = []

    def has_permission(self, request):
        """Return whether ``request`` may use the site: active staff who gave the second factor they owe."""
        return super().has_permission(request) and not policy.second_factor_pending(request.user)

    def login(self, request, extra_context=None):
        """Django's login, which sends a session that gave its password but owes a second factor to that step."""
        user = request.user
        if user.is_active and user.is_staff and policy.second_factor_pending(user):
            return HttpResponseRedirect(security_views.second_step_url(request))
        return super().login(request, extra_context)

    def second_step_view(self, view):
        """Wrap a page of the login's second step: for active staff who gave their password, verified or not."""

        def inner(request, *args, **kwargs):
            if not (request.user.is_active and request.user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("admin:login", current_app=self.name))
            return view(request, *args, **kwargs)

        return update_wrapper(never_cache(csrf_protect(inner)), view)

    def register_index_context(self, context: Callable) -> None:
        """Add ``context(request) -> dict`` to what the admin index renders (the app's "Recent actions")."""
        self._index_context.append(context)

    def index(self, request, extra_context=None):
        context = {}
        for more in self._index_context:
            context.update(more(request))
        return super().index(request, {**context, **(extra_context or {})})

    def register_section(self, section: Section) -> None:
        """Add a section; its URLs are built with the site's URLs."""
        if section.slug in self._sections:
            raise ImproperlyConfigured(f"A back-office section {section.slug!r} is registered already.")
        self._sections[section.slug] = section

    @property
    def sections(self) -> list[Section]:
        return sorted(self._sections.values(), key=lambda section: (section.order, section.slug))

    def get_urls(self):
        section_urls = [
            path(f"{section.slug}/", include(section.urls(self._section_view_wrapper(section))))
            for section in self.sections
        ]
        second_step = [
            ("two-step/", security_views.second_factor_verify),
            ("two-step/setup/", security_views.second_factor_setup),
            ("two-step/recovery-codes/", security_views.recovery_codes),
            ("two-step/cancel/", security_views.second_factor_cancel),
        ]
        # Django's "view on site" redirect has no public site to send anyone to, and fails on the
        # unmanaged model's missing table: without it, the catch-all answers 404.
        admin_urls = [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]
        # Before Django's own, whose last pattern catches every path.
        return [
            path(f"{APP_LABEL}/", self.admin_view(self.backoffice_index), name="backoffice_index"),
            path(f"{APP_LABEL}/", include(section_urls)),
            *(path(route, self.second_step_view(view), name=view.__name__) for route, view in second_step),
        ] + admin_urls

    def _section_view_wrapper(self, section: Section) -> Callable:
        """Return the wrapper of ``section``'s views: ``admin_view``, and a 404 while the section is unavailable."""
        if section.available is None:
            return self.admin_view

        def wrap(view):
            def inner(request, *args, **kwargs):
                if not section.is_available():
                    raise Http404
                return view(request, *args, **kwargs)

            return self.admin_view(update_wrapper(inner, view))

        return wrap

    def backoffice_app(self, request) -> dict | None:
        """Return the back office as an entry of the admin's app list, with the sections ``request.user`` may see."""
        user = request.user
        models = []
        for section in self.sections:
            if not (section.is_available() and user.has_perm(section.permission)):
                continue
            can_add = bool(section.add_url and section.add_permission and user.has_perm(section.add_permission))
            models.append(
                {
                    "name": section.name,
                    "object_name": section.slug,
                    "admin_url": reverse(f"{self.name}:{section.list_url}"),
                    "add_url": reverse(f"{self.name}:{section.add_url}") if can_add else None,
                    "view_only": True,
                    "perms": {"view": True, "add": can_add, "change": False, "delete": False},
                }
            )
        if not models:
            return None
        return {
            "name": _("Back office"),
            "app_label": APP_LABEL,
            "app_url": reverse(f"{self.name}:backoffice_index"),
            "has_module_perms": True,
            "models": models,
        }

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label) if app_label != APP_LABEL else []
        if app_label in (None, APP_LABEL):
            backoffice = self.backoffice_app(request)
            if backoffice:
                app_list.insert(0, backoffice)
        return app_list

    def backoffice_index(self, request):
        """List the back-office sections, like the admin's page of one app."""
        app_list = self.get_app_list(request, APP_LABEL)
        if not app_list:
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "title": _("Back office"),
            "subtitle": None,
            "app_list": app_list,
            "app_label": APP_LABEL,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/app_index.html", context)
