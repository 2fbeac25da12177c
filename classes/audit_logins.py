"""Logins and failed logins in the audit log (Django's auth signals, sent by allauth's and the admin's logins).

A failed login records the name typed (never the password) and, when that name is one login's username or
e-mail, that login's school, municipality or region: its administrators see attempts on their logins.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.dispatch import receiver

from classes.audit_context import user_scope
from classes.models import User
from classes.services import audit_record

LOGIN = "login"
LOGIN_FAILED = "login.failed"


@receiver(user_logged_in, dispatch_uid="audit_login")
def login_recorded(sender, request, user: User, **kwargs) -> None:
    audit_record(user=user, action=LOGIN, description=f"Logged in as {user.username}.", **user_scope(user))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def login_failure_recorded(sender, credentials: dict, request=None, **kwargs) -> None:
    typed = str(credentials.get("username") or credentials.get("email") or credentials.get("login") or "").strip()
    matches = list(User.objects.filter(Q(username__iexact=typed) | Q(email__iexact=typed))[:2]) if typed else []
    scope = user_scope(matches[0]) if len(matches) == 1 else {}
    audit_record(
        user=None,
        username=typed[:150],
        action=LOGIN_FAILED,
        description=f"Failed login as «{typed[:150]}».",
        **scope,
    )
