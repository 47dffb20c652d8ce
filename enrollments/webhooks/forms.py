"""Forms of the webhook pages: the endpoint registered or edited. Shape only; the address is checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import labels
from ..forms import SubmitOnceForm
from ..services.enrollment_events import EVENT_TYPES

EVENT_LABELS = labels.WEBHOOK_EVENTS


def _events_field():
    return forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(event, EVENT_LABELS[event]) for event in EVENT_TYPES],
        initial=list(EVENT_TYPES),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events the endpoint receives."),
    )


class WebhookEndpointForm(SubmitOnceForm):
    """Register the company's endpoint: a form sent twice registers one (the company has one endpoint)."""

    url = forms.CharField(
        label=_("Endpoint address"),
        max_length=2000,
        help_text=_("An https:// address of the company's HR system that accepts POST requests."),
    )
    events = _events_field()


class WebhookEndpointEditForm(forms.Form):
    """Edit the endpoint: address, events, active or paused; written only over the revision the page read."""

    url = forms.CharField(label=_("Endpoint address"), max_length=2000)
    events = _events_field()
    active = forms.BooleanField(
        label=pgettext_lazy("of a webhook endpoint", "Active"),
        required=False,
        help_text=_("Paused: no new events are written, and none is sent."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class RevisionForm(forms.Form):
    """A button on the endpoint's page (rotate the secret): the revision the page read."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
