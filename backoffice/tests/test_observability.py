"""Logs operators can use: JSON lines with the request, user and job ids; Sentry only when a DSN is set."""

import io
import json
import logging
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery.signals import task_postrun, task_prerun

from backoffice import observability
from enrollments.jobs.tasks import export_run, import_chunk, job_chunk
from enrollments.tasks import lifecycle_tick

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_log():
    """Collect what ``django.request`` logs, through the project's filter and JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(observability.ContextFilter())
    handler.setFormatter(observability.JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def _superuser(django_user_model):
    return django_user_model.objects.create_superuser(username=f"root-{uuid.uuid4().hex[:6]}", password="pw-for-tests")


@pytest.mark.django_db
def test_request__logged__json_line_with_the_echoed_request_id_and_the_user_id(client, django_user_model, json_log):
    user = _superuser(django_user_model)
    client.force_login(user)

    response = client.get(f"/admin/backoffice/enrollments/{uuid.uuid4()}/")

    assert response.status_code == 404
    [line] = json_log()
    assert line["level"] == "WARNING" and line["logger"] == "django.request" and "Not Found" in line["message"]
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["user_id"] == str(user.pk)
    assert "job_id" not in line


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent, kept",
    [
        ("lb-7f3a9c.1", True),
        ("Root=1-67891233-abcdef012345678912345678", True),
        ("a" * 129, False),
        ("two words", False),
        ("<script>", False),
    ],
)
def test_request__proxys_request_id__kept_when_sane(client, json_log, sent, kept):
    response = client.get("/no-such-page/", headers={"X-Request-ID": sent})

    [line] = json_log()
    assert (response["X-Request-ID"] == sent) is kept
    assert line["request_id"] == response["X-Request-ID"] and "user_id" not in line


def test_json_formatter__exception__one_line_with_its_traceback():
    logger = logging.getLogger("test.observability")
    try:
        raise RuntimeError("storage said no")
    except RuntimeError:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info())
    observability.ContextFilter().filter(record)

    text = observability.JsonFormatter().format(record)

    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "failed: x" and "RuntimeError: storage said no" in line["exception"]


@pytest.mark.parametrize(
    "task, args, kwargs, expected",
    [
        pytest.param(import_chunk, ("job-1", 3), {}, "job-1", id="import chunk, by position (bound task)"),
        pytest.param(import_chunk, (), {"job_id": "job-2", "number": 0}, "job-2", id="import chunk, by name"),
        pytest.param(export_run, ("job-3",), {}, "job-3", id="export"),
        pytest.param(job_chunk, ("bulk_cancel", "job-4", 1), {}, "job-4", id="chunk of any job kind"),
        pytest.param(lifecycle_tick, (), {}, None, id="a task of no job"),
    ],
)
def test_task_prerun__task_of_a_job__records_carry_its_job_id_until_postrun(task, args, kwargs, expected):
    record = logging.LogRecord("enrollments.tasks", logging.INFO, __file__, 1, "chunk done", (), None)

    task_prerun.send(sender=task, task_id="t1", task=task, args=args, kwargs=kwargs)
    observability.ContextFilter().filter(record)
    task_postrun.send(sender=task, task_id="t1", task=task, args=args, kwargs=kwargs, retval=None, state="SUCCESS")

    assert record.job_id == expected
    assert observability.job_id.get() is None


def _run(script: str, **env) -> subprocess.CompletedProcess:
    # Sentry and the log format only as the test says, whatever the run's environment holds.
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("SENTRY_", "LOG_FORMAT"))}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "backoffice.settings", "DEBUG": "true", **env}
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_log_format_json__settings_of_a_process__every_line_json_with_the_request_id():
    script = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client().get('/no-such-page/', headers={'X-Request-ID': 'edge-42'})['X-Request-ID'])"
    )

    result = _run(script, LOG_FORMAT="json", ALLOWED_HOSTS="testserver")

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert result.stdout.strip() == "edge-42"
    assert any(line.get("request_id") == "edge-42" and "Not Found" in line["message"] for line in lines)


@pytest.mark.slow
def test_log_format__neither_text_nor_json__refused_at_start():
    result = _run("import backoffice.settings", LOG_FORMAT="xml")

    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr


SENTRY_STATE = (
    "import backoffice.settings, sentry_sdk; client = sentry_sdk.get_client(); "
    "print(client.is_active(), sorted(set(client.integrations) & {'django', 'celery'}), "
    "client.options['send_default_pii'], client.options['environment'])"
)


@pytest.mark.slow
def test_sentry__dsn_set__active_with_django_and_celery_without_personal_data():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dsn = f"http://public@127.0.0.1:{unused.getsockname()[1]}/1"

    result = _run(SENTRY_STATE, SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "['celery',", "'django']", "False", "staging"]


@pytest.mark.slow
def test_sentry__no_dsn__off():
    result = _run(SENTRY_STATE)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
