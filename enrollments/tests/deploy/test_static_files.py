"""gunicorn with the production settings serves the static files itself (WhiteNoise), compressed and cacheable."""

import gzip
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ONE_YEAR = 365 * 24 * 60 * 60


def _max_age(cache_control: str) -> int:
    found = re.search(r"max-age=(\d+)", cache_control)
    return int(found.group(1)) if found else 0


def _manifest(server) -> dict[str, str]:
    import json

    return json.loads((Path(server.env["STATIC_ROOT"]) / "staticfiles.json").read_text())["paths"]


@pytest.mark.parametrize(
    "name",
    ["admin/css/base.css", "admin/js/core.js", "enrollments/css/backoffice.css", "enrollments/js/job_progress.js"],
)
def test_static__hashed_name__200_cached_for_a_year_and_immutable(production_server, name):
    hashed = _manifest(production_server)[name]
    assert hashed != name

    response = production_server.get(f"/static/{hashed}")

    assert response.status == 200
    assert _max_age(response.header("Cache-Control")) >= ONE_YEAR
    assert "immutable" in response.header("Cache-Control")
    assert response.body == (Path(production_server.env["STATIC_ROOT"]) / hashed).read_bytes()


def test_static__unhashed_name__200_with_a_short_cache(production_server):
    """A name without its hash changes content with a deploy: browsers may keep it a minute, not a year."""
    response = production_server.get("/static/admin/css/base.css")

    assert response.status == 200
    assert 0 < _max_age(response.header("Cache-Control")) < ONE_YEAR


def test_static__gzip_accepted__answers_the_compressed_copy(production_server):
    hashed = _manifest(production_server)["admin/css/base.css"]

    response = production_server.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.header("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == (Path(production_server.env["STATIC_ROOT"]) / hashed).read_bytes()


def test_static__project_files__each_served_by_its_hashed_name(production_server):
    """The project's own static files (everything collected outside Django's admin), e.g. page scripts."""
    manifest = _manifest(production_server)
    own = {name: hashed for name, hashed in manifest.items() if not name.startswith("admin/")}
    assert "enrollments/js/enrollment_list.js" in own

    for name, hashed in own.items():
        response = production_server.get(f"/static/{hashed}")
        assert response.status == 200, name
        assert _max_age(response.header("Cache-Control")) >= ONE_YEAR, name


def test_admin_login_page__links_hashed_stylesheets_that_are_served(production_server):
    """The admin is styled in production: its page names the hashed CSS, and each one answers."""
    page = production_server.get("/admin/login/")
    assert page.status == 200
    stylesheets = re.findall(rb'<link rel="stylesheet" href="(/static/[^"]+\.css)"', page.body)

    assert stylesheets
    for href in stylesheets:
        assert re.search(rb"\.[0-9a-f]{12}\.css$", href), href
        assert production_server.get(href.decode()).status == 200, href
