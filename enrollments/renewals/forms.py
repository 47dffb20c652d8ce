"""The confirmation form of a renewal: the report's count it renews (none: every person due), its token the job's
id."""

from django import forms

from ..forms import SubmitOnceForm


class RenewalForm(SubmitOnceForm):
    # The count of the report the preview showed; both empty: every person of the company due for renewal.
    course = forms.CharField(required=False, widget=forms.HiddenInput)
    bucket = forms.CharField(required=False, widget=forms.HiddenInput)
