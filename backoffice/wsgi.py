import os

from django.core.wsgi import get_wsgi_application

from backoffice.gc_tuning import freeze_after_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

application = get_wsgi_application()

from enrollments.dynamo import connection  # noqa: E402  (after Django's setup, which configures the models)

# This process answers web requests: each storage call is bounded to answer the 503 page in time.
connection.configure(profile=connection.WEB)
# Everything loaded so far lives as long as the process: out of the collector's full walks.
freeze_after_startup()
