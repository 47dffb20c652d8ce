from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from enrollments.management import demo


class Command(BaseCommand):
    help = (
        "Create demo companies, courses, orders of seats, a few dozen enrollments in every state, a finished "
        "import with row errors, a failed email and a staff superuser (once; safe to rerun)."
    )

    def handle(self, *args, **options):
        demo.seed_catalog()
        demo.seed_activity()

        username, password = settings.DEMO_USERNAME, settings.DEMO_PASSWORD
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(username=username, email=f"{username}@example.com", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo staff login: %(username)s / %(password)s") % {"username": username, "password": password}
            )
        )
