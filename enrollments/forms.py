"""Forms of the back-office pages. They check shape only; the services check the rules."""

import re
import uuid
from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import labels
from .rules import (
    BILLING_CHOICES,
    MAX_COURSE_DAYS,
    MAX_SEATS_PER_ORDER,
    NAME_SEARCH_MIN_CHARS,
    NAME_WORDS_INDEXED,
    PREPAID,
    RENEWAL_WINDOW_MAX_DAYS,
    name_lookup_word,
    name_words,
)
from .services.catalog import default_language
from .validators import normalize_cpf, normalize_email

# A search of digits, with the dots, dashes and spaces people type in a CPF: a CPF, not a name.
_CPF_CHARS = re.compile(r"[0-9.\-\s]+")


def company_choices(companies, *, blank=None) -> list[tuple[str, str]]:
    choices = [
        (company.id, f"{company.name} ({labels.label(labels.BILLING_SHORT, company.billing)})") for company in companies
    ]
    choices.sort(key=lambda choice: choice[1].lower())
    return ([("", blank)] if blank else []) + choices


def open_courses(courses) -> list:
    """Return the courses that take new enrollments (retired ones are left out of the choices that enroll)."""
    return [course for course in courses if not course.retired_at]


def offer_open_courses(field, courses, **choice_options) -> None:
    """Offer only the open courses on ``field`` but accept any: a form sent after its course was retired
    then gets the rule's own words from the service, not "not one of the available choices"."""
    field.choices = course_choices(courses, **choice_options)
    field.widget.choices = course_choices(open_courses(courses), **choice_options)


def course_choices(courses, *, blank=None, seats: dict[str, int] | None = None) -> list[tuple[str, str]]:
    """Return course choices; with ``seats`` (a prepaid company's), each says how many seats are left."""
    choices = []
    for course in sorted(courses, key=lambda course: course.name.lower()):
        text = course.name
        if seats is not None:
            count = seats.get(course.id, 0)
            text = ngettext("%(course)s — %(count)s seat left", "%(course)s — %(count)s seats left", count) % {
                "course": course.name,
                "count": number_format(count, force_grouping=True),
            }
        choices.append((course.id, text))
    return ([("", blank)] if blank else []) + choices


class EnrollmentFilterForm(forms.Form):
    """The list's filters; every field is optional."""

    q = forms.CharField(
        label=_("Email, CPF or name"),
        required=False,
        max_length=254,
        help_text=_("A whole email address, an 11-digit CPF, or the start of words of a name."),
    )
    company = forms.ChoiceField(label=_("Company"), required=False)
    course = forms.ChoiceField(label=_("Course"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, companies, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = company_choices(companies, blank=_("All companies"))
        self.fields["course"].choices = course_choices(courses, blank=_("All courses"))
        self.fields["status"].choices = [("", _("Any status"))] + list(labels.STATUSES.items())

    def clean_q(self) -> dict:
        """Return the search as ``{"email": ...}``, ``{"cpf": ...}`` or ``{"name": [words]}`` (empty when none).

        With an ``@`` it is an email; digits with dots, dashes or spaces only, a CPF;
        anything else, words of a name, at least one of ``NAME_SEARCH_MIN_CHARS`` letters.
        """
        text = self.cleaned_data["q"].strip()
        if not text:
            return {}
        if "@" in text:
            try:
                return {"email": normalize_email(text)}
            except ValidationError:
                raise ValidationError(
                    _("%(value)s is not a whole email address.") % {"value": text}, code="search"
                ) from None
        if _CPF_CHARS.fullmatch(text) and any(char.isdigit() for char in text):
            try:
                return {"cpf": normalize_cpf(text)}
            except ValidationError:
                raise ValidationError(_("Type a whole email address or an 11-digit CPF."), code="search") from None
        words = name_words(text)[:NAME_WORDS_INDEXED]
        if name_lookup_word(words) is None:
            raise ValidationError(
                ngettext(
                    "Type at least %(count)d letter of a name, a whole email address or an 11-digit CPF.",
                    "Type at least %(count)d letters of a name, a whole email address or an 11-digit CPF.",
                    NAME_SEARCH_MIN_CHARS,
                )
                % {"count": NAME_SEARCH_MIN_CHARS},
                code="search",
            )
        return {"name": words}

    def selector_filters(self) -> dict:
        """Return the keyword arguments of ``selectors.enrollment_list``."""
        data = self.cleaned_data
        return {
            "tenant_id": data["company"] or None,
            "course_id": data["course"] or None,
            "status": data["status"] or None,
            **data["q"],
        }


class SubmitOnceForm(forms.Form):
    """A form that creates something once: the hidden token it is issued with becomes the new item's id.

    A double click or a retried request sends the same token, and the service finds the
    item the first submit made instead of making a second one.
    """

    token_field = "token"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(self.token_field, str(uuid.uuid4()))
        super().__init__(*args, **kwargs)
        self.fields[self.token_field] = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        try:
            data[self.token_field] = str(uuid.UUID(data.get(self.token_field) or ""))
        except ValueError:
            raise ValidationError(_("The form was damaged; reload the page."), code="token") from None
        return data


class EnrollForm(SubmitOnceForm):
    company = forms.ChoiceField(label=_("Company"))
    course = forms.ChoiceField(label=_("Course"))
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    cpf = forms.CharField(
        label=_("CPF"), required=False, max_length=20, help_text=_("Optional. Dots and dash are fine.")
    )
    deduplication_window_days = forms.IntegerField(
        label=_("Deduplication window (days)"),
        required=False,
        min_value=0,
        help_text=_(
            "Optional. Blocks another enrollment of this person in this course until the access period "
            "minus this many days has passed."
        ),
    )
    # Confirmations asked for only once the service refused without them (see ``ask``): hidden until then.
    enroll_again = forms.BooleanField(
        label=_("Enroll again"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("This person already has an active enrollment in this course: tick to enroll them a second time."),
    )
    as_cpf_owner = forms.BooleanField(
        label=_("Enroll the person this CPF belongs to"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_("One person per CPF: tick to enroll that person, with their email, instead."),
    )
    CONFIRMATIONS = ("enroll_again", "as_cpf_owner")
    # The enrollment's own id: a double submit finds the enrollment the first one wrote.
    token_field = "enrollment_id"

    # The services name fields by their own keyword arguments.
    SERVICE_FIELDS = {
        "tenant_id": "company",
        "course_id": "course",
        "name": "name",
        "email": "email",
        "cpf": "cpf",
        "deduplication_window_days": "deduplication_window_days",
    }

    def __init__(self, *args, companies, courses, seats: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = company_choices(companies, blank=_("Choose a company"))
        offer_open_courses(self.fields["course"], courses, blank=_("Choose a course"), seats=seats)
        for name in self.CONFIRMATIONS:
            # A confirmation ticked once stays in sight, so staff see what they confirmed.
            if self.is_bound and self.data.get(name) in ("on", "True"):
                self.ask(name)

    def ask(self, name: str, *, label: str | None = None) -> None:
        """Show the confirmation ``name`` as a checkbox: staff tick it and send the form again."""
        self.fields[name].widget = forms.CheckboxInput()
        if label:
            # The bound field keeps the label it was made with.
            self.fields[name].label = self[name].label = label


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required. It stays on the enrollment's audit trail."),
    )
    notify_learner = forms.BooleanField(
        label=_("Notify the learner"),
        required=False,
        initial=True,
        help_text=_("Send the learner an email saying the enrollment was canceled."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the enrollment is canceled."), code="required")
        return reason


class CompletionForm(forms.Form):
    certificate_expires_on = forms.DateField(
        label=_("Certificate expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_certificate_expires_on(self) -> date:
        value = self.cleaned_data["certificate_expires_on"]
        if value <= self.today:
            raise ValidationError(_("The certificate must expire after today."), code="past")
        return value


def language_choices() -> list[tuple[str, str]]:
    """Return the site's languages (``LANGUAGES``), each named in the active language."""
    return [(code, translation.get_language_info(code)["name_translated"]) for code, _name in settings.LANGUAGES]


class CompanyForm(SubmitOnceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    billing = forms.ChoiceField(label=_("Billing"), choices=[(code, labels.BILLING[code]) for code in BILLING_CHOICES])
    cnpj = forms.CharField(label=_("CNPJ"), required=False, max_length=20, help_text=_("Optional."))
    # Not required: a request without it (an API-like post, an old page) gets the site's language.
    language = forms.ChoiceField(
        label=_("Email language"),
        choices=language_choices,
        initial=default_language,
        required=False,
        help_text=_("The language of the emails the company's learners receive."),
    )


def _default_renewal_window() -> int:
    return settings.RENEWAL_WINDOW_DEFAULT_DAYS


def renewal_window_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Renew from this many days before expiry"),
        min_value=1,
        max_value=RENEWAL_WINDOW_MAX_DAYS,
        initial=_default_renewal_window,
        # Not required: empty (or a request without it) is the back office's default.
        required=False,
        help_text=_(
            "A person is due for renewal (reciclagem) once their certificate of this course is this close to "
            "expiring, or expired. Empty: the back office's default."
        ),
    )


def esocial_code_field() -> forms.CharField:
    # Its 4 digits are the service's check: its error names the field.
    return forms.CharField(
        label=_("eSocial code (table 28)"),
        required=False,
        max_length=20,
        help_text=_(
            "Optional. The training's code in eSocial's table 28 (1006 for NR-10, 1207 for NR-12, say): exports "
            "of certificates show it, for the treiCap group of S-2200 and S-2206."
        ),
    )


class CourseForm(SubmitOnceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    access_period_days = forms.IntegerField(label=_("Access period (days)"), min_value=1, max_value=MAX_COURSE_DAYS)
    certificate_validity_days = forms.IntegerField(
        label=_("Certificate validity (days)"), min_value=1, max_value=MAX_COURSE_DAYS
    )
    renewal_window_days = renewal_window_field()
    esocial_code = esocial_code_field()


class CompanyEditForm(forms.Form):
    """Edit a company; ``revision`` is the one read, so that an edit never overwrites another unseen."""

    name = forms.CharField(label=_("Name"), max_length=200)
    cnpj = forms.CharField(label=_("CNPJ"), required=False, max_length=20, help_text=_("Optional."))
    language = forms.ChoiceField(
        label=_("Email language"),
        choices=language_choices,
        help_text=_("The language of the emails the company's learners receive."),
    )
    digest_period = forms.ChoiceField(
        label=_("Compliance digest"),
        choices=list(labels.DIGEST_PERIODS.items()),
        required=False,
        help_text=_(
            "How often the company's HR contacts who receive the digest get its compliance summary by email, "
            "with a spreadsheet of the certificates that expire within 90 days or have expired."
        ),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # Automatic renewal (``rules.auto_renews``): on or off, and the courses it is limited to (none: every course).
    auto_renew = forms.BooleanField(
        label=_("Renew certificates automatically"),
        required=False,
        help_text=_(
            "When a certificate's renewal window opens, the person is enrolled again in the course (a prepaid "
            "company: only with a free seat; without one, they wait on the pending renewals page). Certificates "
            "already inside their window: renew them from the compliance report."
        ),
    )
    auto_renew_courses = forms.MultipleChoiceField(
        label=_("Only these courses"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every course."),
    )

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Open courses, and any the company already names (a course retired since stays visible, to untick).
        chosen = set(self.initial.get("auto_renew_courses") or ())
        shown = [course for course in courses if not course.retired_at or course.id in chosen]
        self.fields["auto_renew_courses"].choices = course_choices(shown)


class CourseEditForm(forms.Form):
    """Edit a course; ``revision`` as in ``CompanyEditForm``."""

    name = forms.CharField(label=_("Name"), max_length=200)
    access_period_days = forms.IntegerField(
        label=_("Access period (days)"),
        min_value=1,
        max_value=MAX_COURSE_DAYS,
        help_text=_("For enrollments made from now on; existing enrollments keep theirs."),
    )
    certificate_validity_days = forms.IntegerField(
        label=_("Certificate validity (days)"),
        min_value=1,
        max_value=MAX_COURSE_DAYS,
        help_text=_("For enrollments made from now on; existing enrollments keep theirs."),
    )
    renewal_window_days = renewal_window_field()
    esocial_code = esocial_code_field()
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class OrderForm(SubmitOnceForm):
    company = forms.ChoiceField(label=_("Company"))
    course = forms.ChoiceField(label=_("Course"))
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=MAX_SEATS_PER_ORDER)
    purchase_order = forms.CharField(
        label=_("Purchase-order reference"),
        required=False,
        max_length=100,
        help_text=_("Optional. The company's own reference of this purchase, shown wherever the order is."),
    )

    SERVICE_FIELDS = {
        "tenant_id": "company",
        "course_id": "course",
        "seats": "seats",
        "purchase_order": "purchase_order",
    }

    def __init__(self, *args, companies, courses, **kwargs):
        super().__init__(*args, **kwargs)
        prepaid = [company for company in companies if company.billing == PREPAID]
        self.fields["company"].choices = company_choices(prepaid, blank=_("Choose a prepaid company"))
        # A retired course takes no new enrollments: no seats to buy for it either.
        self.fields["course"].choices = course_choices(open_courses(courses), blank=_("Choose a course"))
