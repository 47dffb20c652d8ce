from django.apps import AppConfig


class ClientApiConfig(AppConfig):
    """The clients' API as an app of its own: Django finds its ``admin`` module (the API keys' box on the company's
    page)."""

    name = "enrollments.client_api"
    label = "client_api"
    verbose_name = "Clients' API"
