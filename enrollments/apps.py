from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "enrollments"
    verbose_name = "Enrollments"

    def ready(self):
        from . import converters
        from .dynamo.connection import configure

        configure()
        converters.register()
