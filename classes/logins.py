"""Logins, created by administrators (sign-up is closed): teachers' by their school administrator, school
administrators' by their municipal administrator.

A new login has no usable password: its user gets an e-mail with a link to set one, made with
allauth's password-reset key, so the same link page and the same token rules (PASSWORD_RESET_TIMEOUT)
apply as for «Forgot your password?».
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from classes import clock
from classes.models import School, Staff, User

Role = User.Role


def login_manageable_by(*, by: User, user: User) -> bool:
    """Return True when `by` administers the login: a school admin a teacher's login of their school, a
    municipal admin a school admin's login of their municipality.
    """
    if by.role == Role.SCHOOL_ADMIN:
        return user.role == Role.TEACHER and user.school_id == by.school_id
    if by.role == Role.MUNICIPAL_ADMIN:
        return user.role == Role.SCHOOL_ADMIN and user.school.municipality_id == by.municipality_id
    return False


def _credentials_clean(*, username: str, email: str) -> tuple[str, str]:
    """Return the username and e-mail stripped; raise ValidationError naming each problem."""
    username = (username or "").strip()
    email = (email or "").strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = _("Enter a username.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("The username «%(username)s» is taken; choose another.") % {"username": username}
    if not email:
        errors["email"] = _("Enter an e-mail address: the new user sets their password through it.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("«%(email)s» is not an e-mail address.") % {"email": email}
        else:
            if (
                User.objects.filter(email__iexact=email).exists()
                or EmailAddress.objects.filter(email__iexact=email).exists()
            ):
                errors["email"] = _("Another login uses «%(email)s»; each login needs its own e-mail address.") % {
                    "email": email
                }
    if errors:
        raise ValidationError(errors)
    return username, email


def _request_of(request: HttpRequest | None) -> HttpRequest:
    """Return the request (given, or the one allauth's middleware keeps) to build the e-mail's link."""
    request = request or allauth_context.request
    if request is None:
        raise ValueError("A login's e-mail needs the request to build its link; pass request=.")
    return request


def _user_save(user: User) -> User:
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a login of the same name was created at the same moment
        raise ValidationError(
            {"username": _("The username «%(username)s» is taken; choose another.") % {"username": user.username}}
        ) from None
    return user


def teacher_login_create(
    *, by: User, staff: Staff, username: str, email: str, request: HttpRequest | None = None
) -> User:
    """Create a teacher's login for a staff member of the administrator's school and e-mail them a link to set
    their password; return the login.

    Only the school's administrator may (PermissionDenied otherwise). The staff member must be employed
    today and have no login yet; the username and e-mail must be free (ValidationError otherwise).
    """
    if by.role != Role.SCHOOL_ADMIN or by.school_id != staff.school_id:
        raise PermissionDenied
    request = _request_of(request)
    with transaction.atomic():
        locked = Staff.objects.select_for_update().select_related("school").get(pk=staff.pk)
        if not locked.is_employed_on(clock.today(locked.school.tz)):
            raise ValidationError(
                {"staff": _("%(name)s is not employed at the school today; check the roster.") % {"name": locked}}
            )
        if User.objects.filter(staff=locked).exists():
            raise ValidationError({"staff": _("%(name)s already has a login.") % {"name": locked}})
        username, email = _credentials_clean(username=username, email=email)
        user = _user_save(
            User(
                username=username,
                email=email,
                first_name=locked.first_name,
                last_name=locked.last_name,
                role=Role.TEACHER,
                school_id=locked.school_id,
                staff=locked,
            )
        )
    login_password_email_send(by=by, user=user, request=request)
    return user


def school_admin_login_create(
    *,
    by: User,
    school: School,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create a school administrator's login for a school of the municipal administrator's municipality and
    e-mail them a link to set their password; return the login.
    """
    if by.role != Role.MUNICIPAL_ADMIN or by.municipality_id != school.municipality_id:
        raise PermissionDenied
    request = _request_of(request)
    with transaction.atomic():
        username, email = _credentials_clean(username=username, email=email)
        user = _user_save(
            User(
                username=username,
                email=email,
                first_name=(first_name or "").strip(),
                last_name=(last_name or "").strip(),
                role=Role.SCHOOL_ADMIN,
                school=school,
            )
        )
    login_password_email_send(by=by, user=user, request=request)
    return user


def login_password_email_send(*, by: User, user: User, request: HttpRequest | None = None) -> None:
    """E-mail the login's user a link to set their password (again: a new link; earlier ones keep working
    until they expire or the password is set).
    """
    if not login_manageable_by(by=by, user=user):
        raise PermissionDenied
    if not user.email:
        raise ValidationError({"email": _("The login has no e-mail address; add one first.")})
    request = _request_of(request)
    with allauth_context.request_context(request):
        adapter = get_adapter(request)
        key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
        adapter.send_mail(
            "account/email/login_created",
            user.email,
            {
                "user": user,
                "username": user.username,
                "created_by": by,
                "password_set_url": adapter.get_reset_password_from_key_url(key),
                "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            },
        )
