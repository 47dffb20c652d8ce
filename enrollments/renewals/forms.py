"""The confirmation form of a renewal: the report's count it renews (none: every person due), its token the job's
id; and "Renew now" on a company's pending renewals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import rules
from ..forms import SubmitOnceForm


class RenewalForm(SubmitOnceForm):
    # The count of the report the preview showed; both empty: every person of the company due for renewal.
    course = forms.CharField(required=False, widget=forms.HiddenInput)
    bucket = forms.CharField(required=False, widget=forms.HiddenInput)


class PendingRenewForm(forms.Form):
    """ "Renew now" on a company's pending renewals: the ticked people (their certificates' ids), or every one.

    The page renders the boxes in its table; an id no longer pending (renewed meanwhile, the form sent twice) is
    still valid here: it renews nobody.
    """

    SELECTED = "selected"
    ALL = "all"

    renewed = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    which = forms.ChoiceField(choices=[(SELECTED, SELECTED), (ALL, ALL)])

    def clean_renewed(self) -> list[str]:
        ids = self.cleaned_data["renewed"] or []
        if not all(rules.is_uuid_id(value) for value in ids):
            raise forms.ValidationError(_("These are not enrollments."), code="invalid")
        return list(ids)

    def clean(self):
        data = super().clean()
        if data.get("which") == self.SELECTED and not data.get("renewed"):
            raise forms.ValidationError(_("Tick the people to renew, or renew every one."), code="nobody")
        return data

    def renewed_ids(self) -> list[str] | None:
        """Return the certificates to renew, or ``None`` for every pending person."""
        if self.cleaned_data["which"] == self.ALL:
            return None
        return self.cleaned_data["renewed"]
