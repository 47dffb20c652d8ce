# One image for web, worker and beat.
FROM python:3.11-slim
# Static files outside var/: compose mounts a volume there, which would hide (and keep stale) the collected ones.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic signs nothing: a throwaway key lets the production settings load (the real one comes at run time).
RUN SECRET_KEY=collectstatic-only-not-a-runtime-key-signs-nothing-at-build-time DJANGO_SETTINGS_MODULE=backoffice.settings python manage.py collectstatic --noinput
EXPOSE 8000
# gunicorn.conf.py: PORT, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT; access log on stdout.
CMD ["gunicorn", "backoffice.wsgi:application", "--config", "gunicorn.conf.py"]
