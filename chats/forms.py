"""Forms of the chats app's pages: a chat's class and kind."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from classes.models import School

from .mapping import classes_for_mapping
from .models import Chat


class ChatMappingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Chat.Kind.choices)
    school_class = forms.ModelChoiceField(
        label=gettext_lazy("Class"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("no class (school-wide)"),
        help_text=gettext_lazy("Students, parents and subject chats belong to a class; staff and school chats, none."),
    )

    def __init__(self, *args, school: School, day, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes_for_mapping(school=school, day=day)
