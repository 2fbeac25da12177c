"""Logins, created by administrators (sign-up is closed): teachers' by their school administrator, school
administrators' by their municipal administrator.

A new login has no usable password: its user gets an e-mail with a link to set one, made with
allauth's password-reset key, so the same link page and the same token rules (PASSWORD_RESET_TIMEOUT)
apply as for «Forgot your password?».
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes import clock
from classes.audit_context import user_scope
from classes.models import AuditEntry
from classes.models import School
from classes.models import Staff
from classes.models import User
from classes.services import audit_entry

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


# ---------------------------------------------------------------------------
# A login follows its staff member's employment
# ---------------------------------------------------------------------------

LOGIN_DEACTIVATE_DEPARTURE = "login.deactivate.departure"
LOGIN_REACTIVATE_RETURN = "login.reactivate.return"
LOGIN_DEACTIVATE_MANUAL = "login.deactivate.manual"
LOGIN_ACTIVATE_MANUAL = "login.activate.manual"
_LOGIN_ACTIONS = (LOGIN_DEACTIVATE_DEPARTURE, LOGIN_REACTIVATE_RETURN, LOGIN_DEACTIVATE_MANUAL, LOGIN_ACTIVATE_MANUAL)


def _login_entry(*, login: User, by: User | None, action: str, description: str) -> AuditEntry:
    return audit_entry(user=by, action=action, description=description, login=login, **user_scope(login))


def _staff_logins_locked(*, staff: Iterable[Staff], active: bool) -> list[User]:
    """Return the logins of these staff members that are active (or inactive), locked for the update."""
    staff_ids = [member.pk for member in staff]
    if not staff_ids:
        return []
    return list(
        User.objects.select_for_update(of=("self",))
        .filter(staff_id__in=staff_ids, is_active=active)
        .select_related("staff", "school__municipality__region", "municipality")
        .order_by("pk")
    )


# What following the employment does to a staff member's login, and how the audit log says it.
_EMPLOYMENT_SWITCHES = {
    LOGIN_DEACTIVATE_DEPARTURE: (
        False,
        gettext_lazy("Login «%(username)s» of %(name)s deactivated: their employment ended (%(source)s)."),
    ),
    LOGIN_REACTIVATE_RETURN: (
        True,
        gettext_lazy("Login «%(username)s» of %(name)s reactivated: they are employed again (%(source)s)."),
    ),
}


def _staff_logins_switch(*, logins: list[User], action: str, by: User | None, source: str) -> None:
    """Deactivate (a departure) or reactivate (a return) the staff members' logins, auditing each."""
    if not logins:
        return
    active, description = _EMPLOYMENT_SWITCHES[action]
    User.objects.filter(pk__in=[login.pk for login in logins]).update(is_active=active)
    entries = []
    for login in logins:
        login.is_active = active
        text = description % {"username": login.username, "name": login.staff.full_name, "source": source}
        entries.append(_login_entry(login=login, by=by, action=action, description=text))
    AuditEntry.objects.bulk_create(entries)


@transaction.atomic(savepoint=False)
def staff_logins_deactivate(*, staff: Iterable[Staff], by: User | None, source: str) -> list[User]:
    """Deactivate the active logins of these staff members, whose employment ended; audit each; return them.

    An inactive login cannot log in, and its open sessions stop counting at their next request. `source` says
    what ended the employment (like «roster import «file.csv»»); `by` is who did it (None: a command).
    """
    logins = _staff_logins_locked(staff=staff, active=True)
    _staff_logins_switch(logins=logins, action=LOGIN_DEACTIVATE_DEPARTURE, by=by, source=source)
    return logins


@transaction.atomic(savepoint=False)
def staff_logins_reactivate(*, staff: Iterable[Staff], by: User | None, source: str) -> list[User]:
    """Reactivate the logins of these staff members, employed again, that their departure deactivated; audit
    each; return them. A login an administrator deactivated by hand stays as it is.
    """
    inactive = _staff_logins_locked(staff=staff, active=False)
    if not inactive:
        return []
    last_action: dict[int, str] = {}
    entries = AuditEntry.objects.filter(login__in=inactive, action__in=_LOGIN_ACTIONS).order_by("-pk")
    for login_id, action in entries.values_list("login_id", "action"):
        last_action.setdefault(login_id, action)
    logins = [login for login in inactive if last_action.get(login.pk) == LOGIN_DEACTIVATE_DEPARTURE]
    _staff_logins_switch(logins=logins, action=LOGIN_REACTIVATE_RETURN, by=by, source=source)
    return logins


@transaction.atomic(savepoint=False)
def staff_logins_follow_roster(
    *, left: Iterable[Staff], returned: Iterable[Staff], by: User | None, file_name: str
) -> tuple[list[User], list[User]]:
    """Deactivate the logins of the staff a roster import ended, reactivate those of the staff it brought back;
    return (deactivated, reactivated).
    """
    source = _("roster import «%(file)s»") % {"file": file_name}
    return (
        staff_logins_deactivate(staff=left, by=by, source=source),
        staff_logins_reactivate(staff=returned, by=by, source=source),
    )


def staff_logins_follow_employment(*, staff: Staff, on: date, by: User | None, source: str) -> list[User]:
    """Make the staff member's login follow their employment on the day: deactivate it when they are not
    employed, reactivate it (if their departure deactivated it) when they are; return the logins changed.
    """
    if staff.is_employed_on(on):
        return staff_logins_reactivate(staff=[staff], by=by, source=source)
    return staff_logins_deactivate(staff=[staff], by=by, source=source)


def staff_logins_sweep() -> list[User]:
    """Deactivate the active logins of staff whose employment ended before today in their school's time zone
    (an end date set ahead of time), audited; return them.
    """
    latest_today = clock.today("Etc/GMT-14")  # no school's today is later than this
    candidates = (
        Staff.objects.left_before(latest_today).filter(user__is_active=True).select_related("school").order_by("pk")
    )
    ended = [staff for staff in candidates if staff.has_left_before(clock.today(staff.school.tz))]
    return staff_logins_deactivate(staff=ended, by=None, source=_("the scheduled employment check"))


def login_activation_record(*, login: User, by: User | None) -> AuditEntry:
    """Write to the audit log that an administrator activated or deactivated the login by hand."""
    if login.is_active:
        action = LOGIN_ACTIVATE_MANUAL
        description = _("Login «%(username)s» activated by hand.") % {"username": login.username}
    else:
        action = LOGIN_DEACTIVATE_MANUAL
        description = _("Login «%(username)s» deactivated by hand.") % {"username": login.username}
    entry = _login_entry(login=login, by=by, action=action, description=description)
    entry.save()
    return entry
