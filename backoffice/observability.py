"""Logs operators can use: one JSON object a line (``LOG_FORMAT=json``) carrying the request, user and job ids.

The ids live in context variables: ``RequestContextMiddleware`` sets the request's and the user's for the
request it serves (each gunicorn thread, each request, its own), ``job_context_begin`` the job's for the
Celery task it starts (``backoffice/celery.py`` calls it from ``task_prerun``), and ``ContextFilter`` copies them
onto every record a handler writes.
"""

import contextvars
import inspect
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished
from django.dispatch import receiver

request_id = contextvars.ContextVar("request_id", default=None)
user_id = contextvars.ContextVar("user_id", default=None)
job_id = contextvars.ContextVar("job_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or load balancer's id is kept when it looks like one (a uuid, a hex or base64 token); anything
# else, or longer, would put what a client chose into every log line: a fresh id replaces it.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")


class ContextFilter(logging.Filter):
    """Put the request, user and job ids of the current context on each record (``None`` when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        record.job_id = job_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Write a record as one line of JSON: time, level, logger, message, the ids known, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "user_id", "job_id"):
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a message argument that JSON cannot hold (a date, an exception) still makes a line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def incoming_request_id(value: str | None) -> str:
    """Return the request id a proxy sent when it is sane, else a new one."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Give each request an id (the proxy's ``X-Request-ID`` when sane), log with it and the user's id, and echo
    it in the response's ``X-Request-ID``.

    First in ``MIDDLEWARE``, so every later middleware logs with the id; the user is known from
    ``process_view`` on, after the authentication middleware ran.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
        # Kept past the middleware: Django logs a 4xx or 5xx answer after the whole chain returned. The
        # request_finished signal forgets them (``_forget_request``).
        request_id.set(request.request_id)
        user_id.set(None)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id.set(str(user.pk))
        return None


@receiver(request_finished, dispatch_uid="backoffice.observability.forget_request")
def _forget_request(**kwargs) -> None:
    """The response is sent: what the thread logs next belongs to no request."""
    request_id.set(None)
    user_id.set(None)


def task_job_id(task, args, kwargs) -> str | None:
    """Return the ``job_id`` argument a task was called with (by name or by position), or ``None``."""
    if kwargs and kwargs.get("job_id"):
        return str(kwargs["job_id"])
    try:
        parameters = list(inspect.signature(task.run).parameters)
    except (TypeError, ValueError):
        return None
    if "job_id" in parameters and args and len(args) > parameters.index("job_id"):
        return str(args[parameters.index("job_id")])
    return None


def job_context_begin(task, args, kwargs) -> None:
    """Log what ``task`` does with its job id (none for a task without one)."""
    job_id.set(task_job_id(task, args, kwargs))


def job_context_end() -> None:
    """Log without a job id again: the task is over."""
    job_id.set(None)
