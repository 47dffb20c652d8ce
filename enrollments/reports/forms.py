"""Forms of the Reports section: the company picker."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import company_choices


class CompanyPickForm(forms.Form):
    company = forms.ChoiceField(label=_("Company"))

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = company_choices(companies, blank=_("Choose a company"))
