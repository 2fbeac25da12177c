"""Forms of the help requests: a teacher's question, an administrator's answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classes.models import HelpRequest
from classes.models.help import HELP_TEXT_MAX_LENGTH


class HelpAskForm(forms.Form):
    """A teacher's question: its topic from the short list and its text."""

    topic = forms.ChoiceField(
        label=_("Topic"),
        choices=HelpRequest.Topic.choices,
        error_messages={"invalid_choice": _("Choose the topic of your question from the list.")},
    )
    text = forms.CharField(
        label=_("Your question"),
        max_length=HELP_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you are doing and what goes wrong; the school administrator answers here."),
        error_messages={"required": _("Write your question: what you are doing and what goes wrong.")},
    )


class HelpAnswerForm(forms.Form):
    """An administrator's answer; empty only to close a request answered before."""

    answer = forms.CharField(
        label=_("Answer"),
        max_length=HELP_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
