"""Forms of the compliance digest's pages: an HR contact added or edited, a digest asked for now. Shape only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import SubmitOnceForm, language_choices


def _contact_languages():
    return [("", _("The company's language"))] + language_choices()


class ContactFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(
        label=_("Language"),
        choices=_contact_languages,
        required=False,
        help_text=_("The language of the digest this contact receives."),
    )
    receives_digest = forms.BooleanField(
        label=_("Receives the digest"),
        required=False,
        initial=True,
        help_text=_("Gets the company's compliance digest by email, as often as the company's setting says."),
    )

    SERVICE_FIELDS = {"name": "name", "email": "email", "language": "language"}


class ContactForm(ContactFields, SubmitOnceForm):
    """Add an HR contact: the form's token becomes the contact's id, so a form sent twice adds one contact."""


class ContactEditForm(ContactFields):
    """Edit an HR contact; ``revision`` is the one read, so that an edit never overwrites another unseen."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class DigestSendForm(SubmitOnceForm):
    """Send the digest now: the form's token names the digest's period, so a form sent twice sends once."""
