"""The project's own files: docker-compose runs what `make run` runs (Docker cannot run here), `make test` lints."""

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.dynamodb_local import free_port

ROOT = Path(__file__).resolve().parents[2]
# Settings that pick development or production defaults; the test run sets DEBUG=true, which must not leak in.
SETTINGS_MODE = ("DEBUG", "SECRET_KEY")


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
    assert re.search(r"^test:.*\n\t\$\(PY\) -m pytest -n \$\(TEST_WORKERS\)", makefile, re.M)
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_makefile__test_runs_lint_and_lint_runs_ruff_and_the_layer_contracts():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^test:.*\blint\b", makefile, re.M)
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "ruff check ." in lint and "ruff format --check ." in lint and "lint-imports" in lint


@pytest.mark.slow
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


def _env_example() -> dict[str, str]:
    """Return the KEY=VALUE lines of .env.example, as the settings' .env reader takes them."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"[A-Z_0-9]+=", line))


def _compose_environment(given: dict[str, str]) -> dict[str, str]:
    """Return the app containers' environment, its ${NAME:-default} and ${NAME:?error} resolved from ``given``."""

    def resolve(match):
        name, operator, word = match.groups()
        if given.get(name):
            return given[name]
        if operator == ":?":
            raise LookupError(word)
        return word or ""

    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    return {name: re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", resolve, str(value)) for name, value in app.items()}


def _environ(settings: dict[str, str]) -> dict[str, str]:
    """Return this process's environment with ``settings`` in place of the test run's own."""
    inherited = {key: value for key, value in os.environ.items() if key not in {*SETTINGS_MODE, *settings}}
    return {**inherited, **settings}


def _random_key() -> str:
    return secrets.token_urlsafe(48)  # 64 characters


def _check_deploy(settings: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", "check", "--deploy"]
    return subprocess.run(command, cwd=ROOT, env=_environ(settings), capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_env_example__production_set__passes_check_deploy(tmp_path):
    production = _env_example()
    assert production["DEBUG"] == "false"

    result = _check_deploy(
        {
            **production,
            "SECRET_KEY": _random_key(),
            # The PostgreSQL of the example is not here (tests/deploy/test_postgresql.py migrates one); the checks need no database.
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_compose__app_containers_require_a_secret_key_and_pass_check_deploy(tmp_path):
    with pytest.raises(LookupError, match="set SECRET_KEY"):
        _compose_environment({})
    app = _compose_environment({"SECRET_KEY": _random_key()})
    assert app["DEBUG"] == "false"

    result = _check_deploy({**app, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_settings__debug_false_without_secret_key__manage_py_refuses_to_start_naming_it():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_environ({"DEBUG": "false"}),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "set SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_dockerfile__collectstatic_runs_under_the_production_defaults():
    """The image is built without DEBUG or a SECRET_KEY; its collectstatic must still load the settings."""
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    [run] = [line for line in dockerfile if line.startswith("RUN ") and "collectstatic" in line]
    words = shlex.split(run.removeprefix("RUN "))
    assignments = [word for word in words if re.match(r"[A-Z_]+=", word)]
    command = words[len(assignments) :]
    assert command[:3] == ["python", "manage.py", "collectstatic"]

    result = subprocess.run(
        [sys.executable, *command[1:], "--dry-run"],
        cwd=ROOT,
        env=_environ(dict(word.split("=", 1) for word in assignments)),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_makefile__run_test_and_bench_set_debug_true_unless_set_already(tmp_path):
    """Run the targets' real variables with a probe recipe in place of each (make keeps the last recipe)."""
    targets = ["run", "test", "test-fast", "bench"]
    probe = tmp_path / "probe.mk"
    probe.write_text(f"{' '.join(targets)}:\n\t@echo $@ DEBUG=$$DEBUG\n")
    skip = [
        option for target in ("install", "broker", "browser", "lint", "dynamodb-local") for option in ("-o", target)
    ]
    command = ["make", "-s", "-f", "Makefile", "-f", str(probe), *skip, *targets]

    def run(**env):
        result = subprocess.run(command, cwd=ROOT, env=_environ(env), capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    assert run() == [f"{target} DEBUG=true" for target in targets]
    assert run(DEBUG="false") == [f"{target} DEBUG=false" for target in targets]


def _compose_web_check(server) -> subprocess.CompletedProcess:
    """Run the web container's healthcheck command against ``server``, with the server's environment."""
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]
    assert web["healthcheck"]["test"][:3] == ["CMD", "python", "-c"]
    check = web["healthcheck"]["test"][3]
    return subprocess.run(
        [sys.executable, "-c", check], env={**server.env, "PORT": str(server.port)}, capture_output=True, timeout=30
    )


def _compose_app_settings() -> dict[str, str]:
    """The app containers' settings, but for the addresses of compose's network: this run's services serve here."""
    app = _compose_environment({"SECRET_KEY": _random_key(), "ALLOWED_HOSTS": "backoffice.example.com"})
    return {
        name: value
        for name, value in app.items()
        if name not in {"DYNAMODB_ENDPOINT", "CELERY_BROKER_URL", "DATABASE_URL"}
    }


@pytest.mark.slow
def test_compose__web_healthcheck__healthy_under_the_production_settings(start_production_server):
    """HTTPS redirect and ALLOWED_HOSTS on: the check asks /readyz for an allowed host, or web is never healthy."""
    server = start_production_server(**_compose_app_settings())

    result = _compose_web_check(server)

    assert result.returncode == 0, result.stderr.decode() + server.log.read_text()


@pytest.mark.slow
def test_compose__web_healthcheck__dynamodb_unreachable__unhealthy(start_production_server):
    server = start_production_server(**_compose_app_settings(), DYNAMODB_ENDPOINT=f"http://127.0.0.1:{free_port()}")

    assert _compose_web_check(server).returncode == 1


@pytest.mark.slow
def test_gunicorn_conf__reads_workers_threads_timeout_and_port_from_the_environment():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['bind'], c['workers'], c['threads'], c['timeout'], c['accesslog'])",
        ],
        cwd=ROOT,
        env={**os.environ, "PORT": "9123", "GUNICORN_WORKERS": "5", "GUNICORN_THREADS": "4", "GUNICORN_TIMEOUT": "45"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    defaults = subprocess.run(
        [sys.executable, "-c", "import runpy; print(runpy.run_path('gunicorn.conf.py')['timeout'])"],
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.stdout.split() == ["['0.0.0.0:9123']", "5", "4", "45", "-"]
    assert defaults.stdout.strip() == "30"


def test_procfile_dockerfile_and_compose__serve_through_gunicorn_conf():
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]

    assert "--config gunicorn.conf.py" in web
    assert "--config gunicorn.conf.py" in " ".join(_procfile()["web"])
    assert '"--config", "gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()
