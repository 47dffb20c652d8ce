"""Path converters of the back office's ids: a URL with an id in another format answers 404 before any view runs.

``<enrollment_id:...>`` takes a uuid, ``<catalog_id:...>`` a company or course id (``rules`` holds the
formats); both give the view a ``str``. Registered when the app is ready, before any URL is built.
"""

from django.urls import register_converter

from . import rules


class _IdConverter:
    regex: str

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class EnrollmentIdConverter(_IdConverter):
    regex = rules.UUID_ID_PATTERN


class CatalogIdConverter(_IdConverter):
    regex = rules.CATALOG_ID_PATTERN


def register() -> None:
    register_converter(EnrollmentIdConverter, "enrollment_id")
    register_converter(CatalogIdConverter, "catalog_id")
