from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentsConfig(AppConfig):
    name = "enrollments"
    # Lazy: the permission choosers name the back office's permissions by it ("Matrículas | back office | ...").
    verbose_name = _("Enrollments")

    def ready(self):
        from . import converters
        from .dynamo.connection import configure

        configure()
        converters.register()
