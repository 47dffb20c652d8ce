"""Settings for the enrollment back office, read from the environment (12-factor)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for: a server started without settings gets the production defaults below.
# The Makefile sets DEBUG=true for run, test, test-fast and bench.
DEBUG = env.bool("DEBUG", default=False)

# Public (it is in this file), so it signs sessions and tokens in development only.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env("SECRET_KEY", default="") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
# Keys anyone can read: none, this file's, and the SECRET_KEY placeholders of .env.example (today's, an older one).
if not DEBUG and SECRET_KEY in {"", DEVELOPMENT_SECRET_KEY, "replace-with-50-or-more-random-characters", "change-me"}:
    raise ImproperlyConfigured(
        "DEBUG is off and SECRET_KEY is unset or a public key: set SECRET_KEY to 50 or more random characters "
        "(or DEBUG=true for development)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS (see `manage.py check --deploy`): on in production, off for http://127.0.0.1 in development.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Opt-in: a domain on the browsers' preload list is hard to take off it.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# "HTTP_X_FORWARDED_PROTO,https" behind a proxy that ends TLS and sets that header. Unset by default:
# trusted without such a proxy, the header would let any client claim HTTPS.
SECURE_PROXY_SSL_HEADER = tuple(part.strip() for part in env.list("SECURE_PROXY_SSL_HEADER", default=[])) or None
if SECURE_PROXY_SSL_HEADER is not None and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER takes a header and its value, e.g. HTTP_X_FORWARDED_PROTO,https."
    )

INSTALLED_APPS = [
    # Django's admin with the back office's own site (sections for the DynamoDB data).
    "backoffice.apps.BackofficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "enrollments",
    "enrollments.imports.apps.ImportsConfig",
    "enrollments.bulk.apps.BulkConfig",
    "enrollments.reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # DynamoDB unreachable: a 503 page, not a server error.
    "enrollments.middleware.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "backoffice.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "backoffice.wsgi.application"

# Only Django's own tables (auth, sessions) live in SQL; domain data is in DynamoDB.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# The users are Brazilian: pages, files and emails speak pt-BR unless a staff member picks English.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="pt-br")
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
# 1.234 in pt-BR, 1,234 in English: the same as the import page's script writes with Intl.
USE_THOUSAND_SEPARATOR = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"

LOGIN_URL = "admin:login"

# DynamoDB: an empty endpoint means AWS itself.
DYNAMODB_ENDPOINT = env("DYNAMODB_ENDPOINT", default="http://127.0.0.1:8765") or None
DYNAMODB_REGION = env("DYNAMODB_REGION", default="us-east-1")
DYNAMODB_TABLE_PREFIX = env("DYNAMODB_TABLE_PREFIX", default="backoffice_")
# DynamoDB Local accepts any credentials; AWS takes the usual credential chain.
DYNAMODB_ACCESS_KEY_ID = env("DYNAMODB_ACCESS_KEY_ID", default=None)
DYNAMODB_SECRET_ACCESS_KEY = env("DYNAMODB_SECRET_ACCESS_KEY", default=None)
# Pending lifecycle records spread over this many index partitions a day.
LIFECYCLE_DUE_SHARDS = env.int("LIFECYCLE_DUE_SHARDS", default=4)
# How many times an enrollment tries another seat when a concurrent one took it.
ENROLL_SEAT_ATTEMPTS = env.int("ENROLL_SEAT_ATTEMPTS", default=25)
# Partitions of the "all enrollments, newest first" index. Fixed once data exists:
# items keep the shard they were written with.
ENROLLMENT_LIST_SHARDS = env.int("ENROLLMENT_LIST_SHARDS", default=4)
# Shards of the partitions one company or course writes at every enrollment (docs/capacity.md): at 1,000
# enrollments a second each takes 2,000 write units, over the 1,000 a DynamoDB partition allows.
# by_tenant, by_course and by_tenant_course: raise it, never lower it (readers query every shard).
ENROLLMENT_INDEX_SHARDS = env.int("ENROLLMENT_INDEX_SHARDS", default=4)
# by_name and by_tenant_name, per two first letters of a word: raise it, never lower it.
NAME_INDEX_SHARDS = env.int("NAME_INDEX_SHARDS", default=4)
# A company's free seats: raise it, never lower it (readers query every shard).
VACANCY_SHARDS = env.int("VACANCY_SHARDS", default=4)
# An order's seat uses (GeneratedItem), read by key: fixed once data exists.
ORDER_USE_SHARDS = env.int("ORDER_USE_SHARDS", default=4)

# CSV imports
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
# Uploads kept between preview and confirmation (workers read rows from DynamoDB, not from here).
IMPORT_UPLOAD_DIR = env("IMPORT_UPLOAD_DIR", default=str(BASE_DIR / "var" / "imports"))
# Rows a worker task enrolls, and how many of them at once (each row is its own transaction).
IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", default=200)
# ...and at most this many bytes of rows: a DynamoDB item holds 400 KB.
IMPORT_CHUNK_BYTES = env.int("IMPORT_CHUNK_BYTES", default=200_000)
# A cell longer than this is an error on its row (names, emails and course names are far shorter).
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=254)
IMPORT_THREADS = env.int("IMPORT_THREADS", default=8)
# A running import with no progress for this long gets its missing chunks queued again.
IMPORT_STALL_SECONDS = env.int("IMPORT_STALL_SECONDS", default=300)

# Exports (enrollment list, compliance report lists): up to this many rows stream from the request,
# more are written by a worker into the ``exports`` storage, kept EXPORT_RETENTION_HOURS, then deleted.
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=10_000)
EXPORT_DIR = env("EXPORT_DIR", default=str(BASE_DIR / "var" / "exports"))
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
# A background export may outlast the default task limit: a million rows take minutes.
EXPORT_TASK_TIME_LIMIT = env.int("EXPORT_TASK_TIME_LIMIT", default=3600)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": EXPORT_DIR}},
}

# Celery
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tests give each run a queue of its own, so runs sharing one Redis never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# The queue of import chunks: the default queue unless workers are split.
IMPORTS_QUEUE = env("IMPORTS_QUEUE", default=CELERY_TASK_DEFAULT_QUEUE)
# Beat ticks the lifecycle scheduler; a tick that waited past the next one is dropped, not run late.
LIFECYCLE_TICK_SECONDS = env.int("LIFECYCLE_TICK_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "lifecycle-tick": {
        "task": "enrollments.tasks.lifecycle_tick",
        "schedule": float(LIFECYCLE_TICK_SECONDS),
        "options": {"expires": float(LIFECYCLE_TICK_SECONDS)},
    },
    # Every job kind is swept every minute: a job the task queue did not take (the broker was down) is queued on the
    # first sweep after the broker answers again, one without progress for IMPORT_STALL_SECONDS is queued again.
    "imports-resume-stalled": {"task": "enrollments.tasks_imports.imports_resume_stalled", "schedule": 60.0},
    "bulk-cancels-resume-stalled": {"task": "enrollments.bulk.bulk_cancels_resume_stalled", "schedule": 60.0},
    # Also deletes the files of exports older than EXPORT_RETENTION_HOURS.
    "exports-sweep": {"task": "enrollments.reports.exports_sweep", "schedule": 60.0},
}

# The lifecycle scheduler (see enrollments/services/scheduler.py and delivery.py).
# Records handed to a worker in one task.
LIFECYCLE_BATCH_SIZE = env.int("LIFECYCLE_BATCH_SIZE", default=25)
# How long a claimed record belongs to its worker; longer than a send can take (see EMAIL_TIMEOUT).
LIFECYCLE_LEASE_SECONDS = env.int("LIFECYCLE_LEASE_SECONDS", default=300)
# Sends tried per record before it is FAILED; retries wait BACKOFF, 2 x BACKOFF, ... up to BACKOFF_MAX.
LIFECYCLE_MAX_ATTEMPTS = env.int("LIFECYCLE_MAX_ATTEMPTS", default=5)
LIFECYCLE_RETRY_BACKOFF_SECONDS = env.int("LIFECYCLE_RETRY_BACKOFF_SECONDS", default=60)
LIFECYCLE_RETRY_BACKOFF_MAX_SECONDS = env.int("LIFECYCLE_RETRY_BACKOFF_MAX_SECONDS", default=3600)
# Days a tick looks back when it finds no cursor (a new table, or the cursor was deleted).
LIFECYCLE_CURSOR_FALLBACK_DAYS = env.int("LIFECYCLE_CURSOR_FALLBACK_DAYS", default=30)
# Link in lifecycle emails; placeholders {enrollment_id} and {course_id}.
COURSE_URL_TEMPLATE = env(
    "COURSE_URL_TEMPLATE", default="https://cursos.example.com/courses/{course_id}/enrollments/{enrollment_id}"
)
# Bearer token of the course player's progress API; empty refuses every request.
COURSE_PLAYER_API_TOKEN = env("COURSE_PLAYER_API_TOKEN", default="")

# Email
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds; a hung mail server must not hold a lifecycle record past its lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cursos <cursos@example.com>")
# Where django.core.mail.backends.filebased.EmailBackend writes each message (other backends ignore it).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "emails"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"pynamodb": {"level": "WARNING"}, "botocore": {"level": "WARNING"}},
}

# The staff login `seed_demo` creates for local use.
DEMO_USERNAME = env("DEMO_USERNAME", default="demo")
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-backoffice")
