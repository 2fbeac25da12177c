"""Forms of the activation pages: a class's invite link, a teacher's or a school administrator's login."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from classes import clock

from .invites import CLASS_AUDIENCES
from .invites import DEFAULT_VALID_DAYS
from .invites import MAX_VALID_DAYS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class InviteLinkForm(forms.Form):
    """The Sferum invite link of a class for one audience, and the day it stops working."""

    audience = forms.ChoiceField(choices=[(a.value, a.label) for a in CLASS_AUDIENCES], widget=forms.HiddenInput)
    url = forms.CharField(
        label=_("Invite link from Sferum"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "inputmode": "url"}),
        help_text=_("In Sferum, open the class, choose «Invite» and copy the link for this audience."),
    )
    expires_on = forms.DateField(
        label=_("Valid until (inclusive)"),
        widget=DateInput(),
    )

    def __init__(self, *args, audience: str, tz, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_{audience}_%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("audience", audience)
        kwargs["initial"].setdefault("expires_on", clock.today(tz) + timedelta(days=DEFAULT_VALID_DAYS))
        super().__init__(*args, **kwargs)
        works = ngettext(
            "Sferum links expire; by default this one works for %(days)d day.",
            "Sferum links expire; by default this one works for %(days)d days.",
            DEFAULT_VALID_DAYS,
        ) % {"days": DEFAULT_VALID_DAYS}
        longest = ngettext("At most %(max)d day.", "At most %(max)d days.", MAX_VALID_DAYS) % {"max": MAX_VALID_DAYS}
        self.fields["expires_on"].help_text = f"{works} {longest}"


class NewLoginForm(forms.Form):
    """A new login: whose it is (a choice the page gives), its username, and where its password link goes."""

    chooser = ""  # the field whose choices the page gives
    prompt = ""  # the empty choice's text
    email_help = ""
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.chooser].choices = [("", self.prompt), *choices]
        self.fields["email"].help_text = self.email_help


class StaffLoginForm(NewLoginForm):
    """A teacher's login for a staff member without one."""

    field_order = ["staff", "username", "email"]
    chooser, prompt = "staff", _("Choose a staff member")
    email_help = _("The teacher gets a link to set their password at this address.")
    staff = forms.TypedChoiceField(label=_("Staff member"), coerce=int)


class SchoolAdminLoginForm(NewLoginForm):
    """A school administrator's login for a school of the municipality."""

    field_order = ["school", "last_name", "first_name", "username", "email"]
    chooser, prompt = "school", _("Choose a school")
    email_help = _("The administrator gets a link to set their password at this address.")
    school = forms.TypedChoiceField(label=_("School"), coerce=int)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)


class LoginEmailResendForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
