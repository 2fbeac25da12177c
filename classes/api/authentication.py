"""API token authentication: `Authorization: Bearer sfr_…` (classes.api_tokens), documented in the schema.

A request with a valid token authenticates as the token's owner, with the token as `request.auth` (its
narrower scope applies, see classes.api.scope). A request without the header falls through to the session.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from classes.api_tokens import api_token_authenticate

KEYWORD = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <secret>` of a personal API token."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise AuthenticationFailed(
                _("Send the token as «Authorization: Bearer <token>», with nothing else in the header.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = api_token_authenticate(secret)
        if token is None:
            raise AuthenticationFailed(
                _(
                    "The API token is unknown, expired or revoked. "
                    "Create a new one on the API tokens page and send it as «Authorization: Bearer <token>»."
                )
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: an HTTP bearer scheme."""

    target_class = "classes.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Персональный API-токен (sfr_…), созданный на странице «API-токены».",
        }
