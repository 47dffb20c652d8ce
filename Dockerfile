# One image for web, worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic signs nothing: a throwaway key lets the production settings load (the real one comes at run time).
RUN SECRET_KEY=collectstatic-only-not-a-runtime-key-signs-nothing-at-build-time DJANGO_SETTINGS_MODULE=backoffice.settings python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "backoffice.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
