"""Settings for the enrollment back office, read from the environment (12-factor)."""

from datetime import timedelta
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
# Django's own rule for check --deploy (security.W009), refused here rather than warned about: a short or
# repetitive key can be guessed, and with it every session and signed token forged.
SECRET_KEY_MIN_LENGTH, SECRET_KEY_MIN_UNIQUE_CHARACTERS = 50, 5
if not DEBUG and (len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS):
    raise ImproperlyConfigured(
        f"DEBUG is off and SECRET_KEY is too weak ({len(SECRET_KEY)} characters, {len(set(SECRET_KEY))} different): "
        f"set SECRET_KEY to {SECRET_KEY_MIN_LENGTH} or more random characters with at least "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, e.g. from "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
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
# Load balancers and orchestrators probe these over plain http, from inside the network: no redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

INSTALLED_APPS = [
    # Django's admin with the back office's own site (sections for the DynamoDB data).
    "backoffice.apps.BackofficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Content-Security-Policy (its system checks flag settings of the 3.x format).
    "csp",
    # Second factor (TOTP, recovery codes) and login lockouts: backoffice/security.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "backoffice.security.apps.SecurityConfig",
    "enrollments",
    "enrollments.jobs.apps.JobsConfig",
    "enrollments.imports.apps.ImportsConfig",
    "enrollments.bulk_cancel.apps.BulkCancelConfig",
    "enrollments.reports.apps.ReportsConfig",
    "enrollments.exports.apps.ExportsConfig",
    "enrollments.renewals.apps.RenewalsConfig",
    # The development outbox: its admin section exists only with DEBUG=true.
    "enrollments.outbox.apps.OutboxConfig",
    "enrollments.digests.apps.DigestsConfig",
    "enrollments.client_api.apps.ClientApiConfig",
    "enrollments.webhooks.apps.WebhooksConfig",
    # django-ninja: its docs page from its own static files (Swagger UI), never from a CDN.
    "ninja",
]

MIDDLEWARE = [
    # First: every later middleware, view and error logs with the request's id (and the user's, once known).
    "backoffice.observability.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app itself (compressed, hashed names cached for ever): no web server in front needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Activity keeps a session alive (SESSION_IDLE_TIMEOUT_SECONDS).
    "backoffice.security.middleware.SessionActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # DynamoDB unreachable: a 503 page, not a server error.
    "enrollments.middleware.StorageUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Axes first: it refuses a locked-out username or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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

# Content-Security-Policy: scripts and styles only from this site's static files, never inline, so an injected
# <script> or style="" does nothing. Pages pass data to their scripts in data-* attributes and json_script.
# X-Frame-Options stays too, for browsers without frame-ancestors. The email preview, which needs the inline
# styles of mail clients, answers with its own policy (views.enrollments.enrollment_email_html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

STATIC_URL = "static/"
# Where collectstatic writes and WhiteNoise serves from (the image builds it at var/static).
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))

LOGIN_URL = "admin:login"

# Sessions end after SESSION_IDLE_TIMEOUT_SECONDS without a request, and at browser close by default.
# Requests move the expiry (SessionActivityMiddleware) at most once a minute, not on every request as
# SESSION_SAVE_EVERY_REQUEST would: the import's progress page polls once a second.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# Login lockouts (django-axes): LOGIN_FAILURE_LIMIT failures lock the username, and the address, for
# LOGIN_COOLOFF_MINUTES; `manage.py axes_reset_username USERNAME` / `axes_reset_ip IP` unlock sooner.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
# Each one counts alone: a username tried from many addresses, or an address trying many usernames.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "backoffice.security.client_ip.client_ip"
# Axes' admin pages have no pt-BR; the commands unlock, the backoffice.security log lists the failures.
AXES_ENABLE_ADMIN = False
# No start-up banner: every manage.py command and worker would print it first.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "backoffice.security.views.locked_out"
# Proxies in front of the app that append to X-Forwarded-For; 0 reads REMOTE_ADDR only, since without such a
# proxy anyone could write that header and get a fresh address for every guess.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# The second factor (django-otp): "privileged" asks superusers and supervisors for it, "everyone" every staff
# member (STAFF_2FA_REQUIRED=true). With DEBUG=true nobody unless STAFF_2FA_REQUIRED is set, so `make run`'s
# demo login stays one step. Staff who set up an authenticator anyway are always asked for it.
_staff_2fa_required = env.bool("STAFF_2FA_REQUIRED", default=None)
if _staff_2fa_required is None:
    TWO_FACTOR_REQUIRED_FOR = "nobody" if DEBUG else "privileged"
else:
    TWO_FACTOR_REQUIRED_FOR = "everyone" if _staff_2fa_required else "privileged"
# The groups "privileged" asks besides superusers: those who can cancel thousands of enrollments at once.
TWO_FACTOR_GROUPS = env.list("TWO_FACTOR_GROUPS", default=["supervisors"])
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "Backoffice"

# DynamoDB: an empty endpoint means AWS itself.
DYNAMODB_ENDPOINT = env("DYNAMODB_ENDPOINT", default="http://127.0.0.1:8765") or None
DYNAMODB_REGION = env("DYNAMODB_REGION", default="us-east-1")
DYNAMODB_TABLE_PREFIX = env("DYNAMODB_TABLE_PREFIX", default="backoffice_")
# DynamoDB Local accepts any credentials; AWS takes the usual credential chain.
DYNAMODB_ACCESS_KEY_ID = env("DYNAMODB_ACCESS_KEY_ID", default=None)
DYNAMODB_SECRET_ACCESS_KEY = env("DYNAMODB_SECRET_ACCESS_KEY", default=None)
# The bounds of one DynamoDB call in a web request (seconds to connect, to wait for an answer, and sends in
# all): with the defaults a stalled DynamoDB answers the 503 page in about 8 s, well within gunicorn's 30 s.
DYNAMODB_CONNECT_TIMEOUT = env.float("DYNAMODB_CONNECT_TIMEOUT", default=1.0)
DYNAMODB_READ_TIMEOUT = env.float("DYNAMODB_READ_TIMEOUT", default=3.0)
DYNAMODB_MAX_ATTEMPTS = env.int("DYNAMODB_MAX_ATTEMPTS", default=2)
# ...and in Celery workers, commands and shells, which ride out a longer stall (PynamoDB's own defaults).
DYNAMODB_WORKER_CONNECT_TIMEOUT = env.float("DYNAMODB_WORKER_CONNECT_TIMEOUT", default=15.0)
DYNAMODB_WORKER_READ_TIMEOUT = env.float("DYNAMODB_WORKER_READ_TIMEOUT", default=30.0)
DYNAMODB_WORKER_MAX_ATTEMPTS = env.int("DYNAMODB_WORKER_MAX_ATTEMPTS", default=4)
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
# The name words' partitions (names#<xx>, and the legacy by_name) and by_tenant_name, per two first letters of
# a word: raise it, never lower it.
NAME_INDEX_SHARDS = env.int("NAME_INDEX_SHARDS", default=4)
# A company's free seats: raise it, never lower it (readers query every shard).
VACANCY_SHARDS = env.int("VACANCY_SHARDS", default=4)
# An order's seat uses (GeneratedItem), read by key: fixed once data exists.
ORDER_USE_SHARDS = env.int("ORDER_USE_SHARDS", default=4)
# The recent_actions index (everyone's staff actions): staff act at a person's pace, a few shards are plenty.
# Fixed once data exists: the home page reads only the shards this names.
RECENT_SHARDS = env.int("RECENT_SHARDS", default=4)

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
# A running chunk of a job (import, bulk cancel) writes its rows done so far at most this often, so the bar moves
# within a chunk.
JOB_PROGRESS_SECONDS = env.float("JOB_PROGRESS_SECONDS", default=2.0)

# Renewals ("reciclagem"): a person is due for renewal this many days before their certificate expires, in a course
# that names no window of its own (CourseItem.renewal_window_days).
RENEWAL_WINDOW_DEFAULT_DAYS = env.int("RENEWAL_WINDOW_DEFAULT_DAYS", default=60)

# Exports (enrollment list, compliance report lists): up to this many rows stream from the request,
# more are written by a worker into the ``exports`` storage, kept EXPORT_RETENTION_HOURS, then deleted.
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=10_000)
EXPORT_DIR = env("EXPORT_DIR", default=str(BASE_DIR / "var" / "exports"))
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
# A background export may outlast the default task limit: a million rows take minutes.
EXPORT_TASK_TIME_LIMIT = env.int("EXPORT_TASK_TIME_LIMIT", default=3600)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: collectstatic writes hashed, compressed copies and a manifest that {% static %} reads.
    # Development and tests (DEBUG=true) keep the plain storage: pages render without a collectstatic first
    # (pytest-django turns DEBUG off while tests run, and a manifest storage would then refuse every name
    # missing from a manifest that was never written), and WhiteNoise serves from the apps' folders.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
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
# Beat ticks the compliance digests (enrollments/digests/services.py).
DIGEST_TICK_SECONDS = env.int("DIGEST_TICK_SECONDS", default=300)
# Beat ticks the webhook deliveries (enrollments/webhooks/services.py).
WEBHOOK_TICK_SECONDS = env.int("WEBHOOK_TICK_SECONDS", default=10)
CELERY_BEAT_SCHEDULE = {
    "lifecycle-tick": {
        "task": "enrollments.tasks.lifecycle_tick",
        "schedule": float(LIFECYCLE_TICK_SECONDS),
        "options": {"expires": float(LIFECYCLE_TICK_SECONDS)},
    },
    # One sweep of every job kind, every minute: a job the task queue did not take (the broker was down) is queued on
    # the first sweep after the broker answers again, one without progress for IMPORT_STALL_SECONDS is queued again;
    # the files of exports older than EXPORT_RETENTION_HOURS are deleted.
    "jobs-sweep": {"task": "enrollments.jobs.jobs_sweep", "schedule": 60.0},
    # The compliance digests: each company's of the period once it is due (weekly on Mondays, monthly on the 1st,
    # from 08:00 in TIME_ZONE), and every digest due again (a retry, a worker that died, one asked for now).
    "digests-tick": {
        "task": "enrollments.digests.digests_tick",
        "schedule": float(DIGEST_TICK_SECONDS),
        "options": {"expires": float(DIGEST_TICK_SECONDS)},
    },
    # The webhook events due: new ones, retries, and those of a worker that died (after its lease).
    "webhooks-tick": {
        "task": "enrollments.webhooks.webhooks_tick",
        "schedule": float(WEBHOOK_TICK_SECONDS),
        "options": {"expires": float(WEBHOOK_TICK_SECONDS)},
    },
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

# The clients' API (enrollments/client_api/): each key's token bucket in Redis, a burst of API_RATE_BURST requests
# refilled at API_RATE_PER_MINUTE; more answers 429 with Retry-After.
API_RATE_BURST = env.int("API_RATE_BURST", default=20)
API_RATE_PER_MINUTE = env.int("API_RATE_PER_MINUTE", default=120)
API_RATE_REDIS_URL = env("API_RATE_REDIS_URL", default=CELERY_BROKER_URL)

# Webhooks (enrollments/webhooks/): each company's endpoint receives its enrollments' events, signed. Beat's tick
# hands out the events due every WEBHOOK_TICK_SECONDS; a failed delivery waits the next delay of the schedule (about
# a day in all), then the event is FAILED. WEBHOOK_ALLOW_PRIVATE_HOSTS lets an endpoint be http:// or resolve to a
# loopback, private or link-local address: development and tests only (a receiver on 127.0.0.1), never production.
WEBHOOK_RETRY_SCHEDULE_SECONDS = env.list(
    "WEBHOOK_RETRY_SCHEDULE_SECONDS", cast=int, default=[60, 300, 1800, 7200, 18000, 36000, 21600]
)
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=25)
# How long a claimed event belongs to its worker: longer than a post can take (connect + read timeouts).
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=120)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=15.0)
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=DEBUG)
# Events to deliver spread over this many index partitions. Raise it, never lower it.
WEBHOOK_DUE_SHARDS = env.int("WEBHOOK_DUE_SHARDS", default=4)
# Seconds a process remembers a company's endpoint (or that it has none) before reading it again: an enrollment
# of a company without one costs no read. A change of the endpoint reaches other processes within this time.
WEBHOOK_ENDPOINT_CACHE_SECONDS = env.int("WEBHOOK_ENDPOINT_CACHE_SECONDS", default=30)

# /readyz: seconds each dependency (DynamoDB, the broker) has to answer before the probe says 503.
READINESS_TIMEOUT_SECONDS = env.float("READINESS_TIMEOUT_SECONDS", default=2.0)

# Email: SMTP, unless development (DEBUG=true) names neither a backend nor a mail server; then every email sent,
# by web or worker, is kept as a file in EMAIL_OUTBOX_DIR and shown on the admin's "Outbox" page. Empty values
# count as unset (a worker started with EMAIL_BACKEND= gets the default).
OUTBOX_EMAIL_BACKEND = "enrollments.outbox.backend.EmailBackend"
_email_backend, _email_host = env("EMAIL_BACKEND", default=""), env("EMAIL_HOST", default="")
EMAIL_BACKEND = _email_backend or (
    OUTBOX_EMAIL_BACKEND if DEBUG and not _email_host else "django.core.mail.backends.smtp.EmailBackend"
)
# One .eml file a message; web and workers must share it.
EMAIL_OUTBOX_DIR = env("EMAIL_OUTBOX_DIR", default=str(BASE_DIR / "var" / "outbox"))
EMAIL_HOST = _email_host or "localhost"
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds; a hung mail server must not hold a lifecycle record past its lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cursos <cursos@example.com>")
# Where django.core.mail.backends.filebased.EmailBackend writes each message (other backends ignore it).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "emails"))

# "json": one JSON object a line (time, level, logger, message, request_id, user_id, job_id, exception), for a
# log collector; "text": the message alone, for a terminal.
LOG_FORMAT = env("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "backoffice.observability.ContextFilter"}},
    "formatters": {"json": {"()": "backoffice.observability.JsonFormatter"}, "text": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pynamodb": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        # Django's own handlers (its console in DEBUG, runserver's format) go: its records reach the root's handler,
        # once and in LOG_FORMAT.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": [], "level": "INFO"},
    },
    # backoffice.security: failed logins, lockouts, wrong second-factor codes, permission denials (WARNING).
}
# A worker writes its JSON lines through the handler above, not through Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Sentry: errors of the web processes and the workers, when a DSN is set; off otherwise.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Learners' names, emails and CPFs, staff logins: none of them leave for Sentry.
        send_default_pii=False,
    )

# The staff login `seed_demo` creates for local use.
DEMO_USERNAME = env("DEMO_USERNAME", default="demo")
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-backoffice")
