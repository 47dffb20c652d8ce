"""Settings from the environment: production defaults unless DEBUG, and no start on a public SECRET_KEY.

Settings are read once, when the module is imported, so each case imports them in a fresh interpreter.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECURITY = [
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
]
# Names this module sets or leaves unset on purpose; anything else comes from the test run's environment.
CONTROLLED = {*SECURITY, "SECRET_KEY", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_FILE_PATH", "EMAIL_OUTBOX_DIR"}
PRINT_SETTINGS = (
    "import json, backoffice.settings as s; "
    "print(json.dumps({name: getattr(s, name) for name in dir(s) if name.isupper()}, default=str))"
)


def _import_settings(**env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in CONTROLLED}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _settings(**env) -> dict:
    result = _import_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _key() -> str:
    return secrets.token_urlsafe(48)


@pytest.mark.slow
def test_settings__debug_unset__production_defaults():
    key = _key()

    settings = _settings(SECRET_KEY=key)

    assert settings["DEBUG"] is False and settings["SECRET_KEY"] == key
    assert {name: settings[name] for name in SECURITY[1:]} == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


@pytest.mark.slow
def test_settings__debug_true__development_defaults_and_the_development_key():
    settings = _settings(DEBUG="true")

    assert settings["DEBUG"] is True and settings["SECRET_KEY"] == settings["DEVELOPMENT_SECRET_KEY"]
    assert {name: settings[name] for name in SECURITY[1:]} == {
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


@pytest.mark.slow
def test_settings__from_the_environment__override_the_defaults():
    settings = _settings(
        DEBUG="false",
        SECRET_KEY=_key(),
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="true",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH="/srv/mail",
    )

    assert {name: settings[name] for name in SECURITY} == {
        "DEBUG": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],  # the tuple, through JSON
    }
    assert settings["EMAIL_FILE_PATH"] == "/srv/mail"


@pytest.mark.slow
@pytest.mark.parametrize("value", ["HTTP_X_FORWARDED_PROTO,https", "HTTP_X_FORWARDED_PROTO, https"])
def test_settings__proxy_header__read_as_a_header_and_its_value(value):
    settings = _settings(DEBUG="true", SECURE_PROXY_SSL_HEADER=value)

    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.slow
def test_settings__proxy_header_not_a_pair__refused_at_start():
    result = _import_settings(DEBUG="true", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECURE_PROXY_SSL_HEADER" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "key",
    [
        pytest.param(None, id="unset"),
        pytest.param("", id="empty"),
        pytest.param("dev-only-insecure-key-change-me", id="development key"),
        pytest.param("change-me", id="old .env.example placeholder"),
    ],
)
def test_settings__debug_false_with_no_key_of_its_own__refused_at_start(key):
    result = _import_settings(DEBUG="false", **({} if key is None else {"SECRET_KEY": key}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "set SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_settings__env_example_placeholder_key__refused_at_start():
    [placeholder] = [
        line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.startswith("SECRET_KEY=")
    ]

    result = _import_settings(DEBUG="false", SECRET_KEY=placeholder)

    assert result.returncode != 0 and "set SECRET_KEY" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "key",
    [
        pytest.param("short", id="SECRET_KEY=short"),
        pytest.param(secrets.token_urlsafe(48)[:49], id="49 random characters"),
        pytest.param("abcd" * 20, id="80 characters, 4 different"),
    ],
)
def test_settings__debug_false_with_a_weak_key__refused_at_start(key):
    result = _import_settings(DEBUG="false", SECRET_KEY=key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY is too weak" in result.stderr


@pytest.mark.slow
def test_settings__debug_false_with_50_characters_of_5_kinds__starts():
    key = "abcde" * 10

    assert _settings(DEBUG="false", SECRET_KEY=key)["SECRET_KEY"] == key


@pytest.mark.slow
def test_settings__debug_true_with_a_short_key__starts():
    assert _settings(DEBUG="true", SECRET_KEY="short")["SECRET_KEY"] == "short"


OUTBOX = "enrollments.outbox.backend.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "backend"),
    [
        pytest.param({"DEBUG": "true"}, OUTBOX, id="development: the outbox"),
        pytest.param({"DEBUG": "true", "EMAIL_BACKEND": "", "EMAIL_HOST": ""}, OUTBOX, id="empty values: the outbox"),
        pytest.param({"DEBUG": "true", "EMAIL_HOST": "127.0.0.1"}, SMTP, id="development with a mail server: SMTP"),
        pytest.param({"DEBUG": "true", "EMAIL_BACKEND": CONSOLE}, CONSOLE, id="development naming a backend: it"),
        pytest.param({"DEBUG": "false"}, SMTP, id="production: SMTP"),
    ],
)
def test_settings__email_backend__the_outbox_only_in_development_without_a_mail_server(env, backend):
    settings = _settings(SECRET_KEY=_key(), **env)

    assert settings["EMAIL_BACKEND"] == backend and settings["OUTBOX_EMAIL_BACKEND"] == OUTBOX
    assert settings["EMAIL_OUTBOX_DIR"] == str(ROOT / "var" / "outbox")
    assert settings["EMAIL_HOST"] == (env.get("EMAIL_HOST") or "localhost")
