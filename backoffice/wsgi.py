import os

from django.core.wsgi import get_wsgi_application

from backoffice.gc_tuning import freeze_after_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

application = get_wsgi_application()
# Everything loaded so far lives as long as the process: out of the collector's full walks.
freeze_after_startup()
