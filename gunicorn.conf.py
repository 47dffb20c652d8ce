"""gunicorn's settings, read from the environment (gunicorn loads ./gunicorn.conf.py on its own).

The house rule keeps environment reads in backoffice/settings.py; this file is gunicorn's config, not
Django's, and is read by gunicorn before Django loads, so it reads the few variables that shape the server.
"""

import os

# PORT as platforms set it; 0.0.0.0 inside a container. `make run`'s Procfile binds 127.0.0.1 instead.
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Seconds a worker may spend on one request before gunicorn kills it: above the app's bounded storage calls,
# so a stalled DynamoDB answers the app's 503 page, not gunicorn's bare 500.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
# One access line per request on stdout, the error log on stderr: the container's logs hold both.
accesslog = "-"
errorlog = "-"
