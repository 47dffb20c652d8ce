"""The confirmation form of a bulk cancel: one reason for every enrollment, its token the job's id."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import SubmitOnceForm


class BulkCancelForm(SubmitOnceForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    notify_learner = forms.BooleanField(label=_("Notify the learners"), required=False, initial=True)
    # The selected enrollments, one id a line; empty when the import's enrollments are canceled.
    enrollment_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    import_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
