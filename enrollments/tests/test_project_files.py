"""The project's own files: docker-compose runs what `make run` runs (Docker cannot run here), `make test` lints."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip():
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def test_compose__has_the_services_of_the_stack_with_one_shared_image():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert set(services) == {"web", "worker", "beat", "redis", "dynamodb-local"}
    assert {services[name]["image"] for name in ("web", "worker", "beat")} == {"enrollment-backoffice"}
    assert all(services[name].get("build") == "." for name in ("web", "worker", "beat"))
    for name in ("web", "worker", "redis", "dynamodb-local"):
        assert "healthcheck" in services[name], name


def test_compose__worker_and_beat_run_the_procfile_commands():
    compose, procfile = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"], _procfile()

    assert set(procfile) == {"web", "worker", "beat"}
    for name in ("worker", "beat"):
        assert shlex.split(compose[name]["command"]) == procfile[name]


def test_compose__web_serves_the_same_wsgi_app_and_makes_the_tables():
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]

    assert "create_tables" in web and "migrate" in web
    assert re.search(r"gunicorn backoffice\.wsgi:application", web)


def test_makefile__run_starts_the_procfile_and_test_runs_pytest():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^run:.*dynamodb-local", makefile, re.M)
    assert "honcho start -f Procfile" in makefile
    assert re.search(r"^test:.*\n\t\$\(PY\) -m pytest$", makefile, re.M)
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_makefile__test_runs_lint_and_lint_runs_ruff_and_the_layer_contracts():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^test:.*\blint\b", makefile, re.M)
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "ruff check ." in lint and "ruff format --check ." in lint and "lint-imports" in lint


def test_lint_imports__a_layer_imported_from_below__breaks_the_contract(tmp_path):
    """The contracts hold on the tree as it is, and fail once dynamo/ imports a service."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    assert subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120).returncode == 0

    ignore = shutil.ignore_patterns("__pycache__", "tests")
    for package in ("enrollments", "backoffice"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "enrollments" / "dynamo" / "probe.py").write_text("from enrollments.services import enroll\n")
    broken = subprocess.run(
        command,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert broken.returncode != 0
    assert "enrollments.dynamo.probe -> enrollments.services" in broken.stdout
