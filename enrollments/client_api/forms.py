"""Forms of the API keys' pages: a key created. Shape only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import SubmitOnceForm


class ApiKeyForm(SubmitOnceForm):
    """Create an API key: the form's token becomes the key's id, so a form sent twice creates one key."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system uses it, e.g. the HR system's production server."),
    )
