"""Docker cannot run here: check that docker-compose runs the same processes as `make run`."""

import re
import shlex
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
