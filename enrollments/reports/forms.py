"""Forms of the Reports section: the company picker, and the confirmation of a background export (its token the job's id)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import SubmitOnceForm, company_choices


class CompanyPickForm(forms.Form):
    company = forms.ChoiceField(label=_("Company"))

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = company_choices(companies, blank=_("Choose a company"))


class ExportStartForm(SubmitOnceForm):
    """Start an export in the background; the rows it reads come from the page's address, not from the form."""
