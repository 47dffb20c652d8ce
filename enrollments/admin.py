"""The back office's sections of the admin site."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from . import permissions
from .views import catalog, enrollments


def enrollment_urls(wrap):
    return [
        path("", wrap(enrollments.enrollment_list), name="enrollment_list"),
        path("add/", wrap(enrollments.enrollment_add), name="enrollment_add"),
        path("<str:enrollment_id>/", wrap(enrollments.enrollment_detail), name="enrollment_detail"),
        path("<str:enrollment_id>/cancel/", wrap(enrollments.enrollment_cancel), name="enrollment_cancel"),
        path("<str:enrollment_id>/complete/", wrap(enrollments.enrollment_complete), name="enrollment_complete"),
    ]


def company_urls(wrap):
    return [
        path("", wrap(catalog.company_list), name="company_list"),
        path("add/", wrap(catalog.company_add), name="company_add"),
        path("<str:company_id>/", wrap(catalog.company_detail), name="company_detail"),
    ]


def course_urls(wrap):
    return [
        path("", wrap(catalog.course_list), name="course_list"),
        path("add/", wrap(catalog.course_add), name="course_add"),
    ]


def order_urls(wrap):
    return [
        path("", wrap(catalog.order_list), name="order_list"),
        path("add/", wrap(catalog.order_add), name="order_add"),
    ]


for section in (
    Section(slug="enrollments", name=_("Enrollments"), urls=enrollment_urls, permission=permissions.VIEW,
            list_url="enrollment_list", add_url="enrollment_add", add_permission=permissions.ENROLL, order=10),
    Section(slug="companies", name=_("Companies"), urls=company_urls, permission=permissions.VIEW,
            list_url="company_list", add_url="company_add", add_permission=permissions.MANAGE_COMPANIES, order=20),
    Section(slug="courses", name=_("Courses"), urls=course_urls, permission=permissions.VIEW,
            list_url="course_list", add_url="course_add", add_permission=permissions.MANAGE_COURSES, order=30),
    Section(slug="orders", name=_("Orders and seats"), urls=order_urls, permission=permissions.VIEW,
            list_url="order_list", add_url="order_add", add_permission=permissions.CREATE_ORDER, order=40),
):
    admin.site.register_section(section)
