"""The Content-Security-Policy of the back office's pages, and templates that keep to it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from enrollments import permissions

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# What the policy refuses in a page: a <script> that runs inline, a <style> block, a style="" or on...="" attribute.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE
)


def _policy(response) -> dict[str, str]:
    return dict(part.strip().partition(" ")[::2] for part in response["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize(
    ("group", "url_name"),
    [(None, "login"), (permissions.VIEWERS, "enrollment_list"), (None, "enrollment_list")],
    ids=["login page", "a back-office page", "the 403 page"],
)
def test_page__strict_policy__self_only_no_inline_not_framed(client, login, group, url_name):
    if url_name != "login":
        login(group)

    response = client.get(reverse(f"admin:{url_name}"))

    assert response.status_code in (200, 403)
    assert _policy(response) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self'",
        "frame-src": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }
    assert response["X-Frame-Options"] == "DENY"
    assert not INLINE.findall(response.content.decode())


def test_enrollment_page__scripts_and_styles__all_from_static_files(client, login, enrollment):
    login(permissions.OPERATORS)

    page = client.get(reverse("admin:enrollment_detail", args=[enrollment.id])).content.decode()

    assert not INLINE.findall(page)
    assert 'href="/static/enrollments/css/backoffice.css"' in page
    assert 'src="/static/enrollments/js/language_form.js"' in page


def test_templates__pages__no_inline_script_style_or_event_handler():
    # Emails are the exception: mail clients need inline styles (the preview answers with a policy of its own).
    pages = [path for path in TEMPLATES.rglob("*.html") if "emails" not in path.relative_to(TEMPLATES).parts]

    found = {str(path.relative_to(TEMPLATES)): INLINE.findall(path.read_text()) for path in pages}

    assert len(pages) > 30
    assert {path: hits for path, hits in found.items() if hits} == {}
