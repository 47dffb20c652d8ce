from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "backoffice.security"
    label = "security"
    verbose_name = "Security"

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
