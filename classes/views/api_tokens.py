"""The API tokens page (/account/tokens/): an administrator lists, creates and revokes their own tokens.

A new token's secret is shown once, on the page answering the creation (sent with Cache-Control: no-store),
and is kept nowhere: only its hash is stored.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from classes.access import municipalities_for_user
from classes.access import role_required
from classes.access import schools_for_user
from classes.api_tokens import TOKEN_ROLES
from classes.api_tokens import api_token_create
from classes.api_tokens import api_token_revoke
from classes.models import ApiToken
from classes.models import User
from classes.models.api_tokens import DEFAULT_DAYS
from classes.models.api_tokens import MAX_DAYS

Role = User.Role


def _narrowing_choices(user: User) -> list:
    """The narrowings the owner may give a token: their municipalities and schools (a school's login: none)."""
    if user.role not in (Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN):
        return []
    choices: list = [("", _("Everything I can see"))]
    if user.role == Role.REGIONAL_ADMIN:
        municipalities = municipalities_for_user(user=user).order_by("name")
        choices.append((_("Municipality"), [(f"m{item.pk}", item.name) for item in municipalities]))
    schools = schools_for_user(user=user).order_by("municipality__name", "short_name")
    choices.append((_("School"), [(f"s{item.pk}", item.short_name) for item in schools]))
    return choices


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, like «e-journal export»."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for, days"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Only"),
        required=False,
        help_text=gettext_lazy("A token may read less than you do, never more."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = _narrowing_choices(user)
        if choices:
            self.fields["scope"].choices = choices
        else:
            del self.fields["scope"]

    def narrowing(self) -> dict:
        """Return the chosen narrowing as api_token_create's school= or municipality= (inside the owner's scope)."""
        value = self.cleaned_data.get("scope") or ""
        if value.startswith("m"):
            return {"municipality": municipalities_for_user(user=self.user).get(pk=int(value[1:]))}
        if value.startswith("s"):
            return {"school": schools_for_user(user=self.user).get(pk=int(value[1:]))}
        return {}


def _page(request: HttpRequest, *, form: ApiTokenForm, created: ApiToken | None = None, secret: str = ""):
    tokens = ApiToken.objects.filter(user=request.user).select_related("school", "municipality")
    context = {"form": form, "tokens": tokens, "created": created, "secret": secret}
    return render(request, "classes/api_tokens.html", context)


@never_cache
@role_required(*TOKEN_ROLES)
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The login's tokens; POST: create one, its secret shown on this answer only."""
    if request.method == "POST":
        form = ApiTokenForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                token, secret = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                    **form.narrowing(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return _page(request, form=ApiTokenForm(user=request.user), created=token, secret=secret)
        return _page(request, form=form)
    return _page(request, form=ApiTokenForm(user=request.user))


@never_cache
@role_required(*TOKEN_ROLES)
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the login's tokens (another login's: 404)."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(
        request, _("The token %(prefix)s is revoked: it no longer opens the API.") % {"prefix": token.prefix}
    )
    return redirect("api-tokens")
