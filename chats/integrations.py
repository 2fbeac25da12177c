"""Connecting a school to Sferum and building the backend of its integration (VK, MAX, simulator or files).

Apart from the sync service (`chats.services`) so that the files backend, built from a member list read by
`chats.files_import`, does not tie the sync service and the file imports into an import cycle.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from activation.models import Backend as BackendName
from classes import clock
from classes.audit_changes import by_whom
from classes.audit_changes import changes_text
from classes.audit_changes import field_changes
from classes.models import School
from classes.services import audit_record
from classes.tabular.reading import file_read
from sferum_api import Backend
from sferum_api.files import FilesBackend
from sferum_api.http import RetryPolicy
from sferum_api.max import MaxBackend
from sferum_api.simulator import SimulatedSchool
from sferum_api.vk import VkBackend

from .files_import.member_list import member_list_read
from .models import Integration
from .rate_limit import request_pacer
from .sync import message_hash_key
from .tokens import token_decrypt
from .tokens import token_encrypt

DEFAULT_RPS = {BackendName.VK: 3.0, BackendName.MAX: 30.0}

SETTINGS_INTEGRATION = "settings.integration"

# The integration's settings an audit entry compares; the address and the chat ids are only named (a URL may
# carry credentials), the token only said to be replaced or removed.
_AUDITED_FIELDS = ("backend", "base_url", "chat_ids", "rps", "options", "enabled")
_NAMED_FIELDS = ("base_url", "chat_ids", "options")


class IntegrationError(Exception):
    """The school's integration is missing or incomplete; the message says what to do."""


def integration_connect(
    *,
    school: School,
    backend: str,
    base_url: str = "",
    token: str | None = None,
    chat_ids: list[str] | None = None,
    rps: float | None = None,
    options: dict | None = None,
    user=None,
    command: str = "",
) -> Integration:
    """Create or update the school's integration; the token is stored encrypted and never returned.

    Audited (`settings.integration`) in its transaction: the settings changed, the token only said to be
    replaced; `command` names the command that connected the school without a user.
    """
    if backend not in BackendName.values:
        raise IntegrationError(
            _("«%(backend)s» is not a backend; use one of: %(choices)s.")
            % {"backend": backend, "choices": ", ".join(BackendName.values)}
        )
    if rps is not None and rps < 0:
        raise IntegrationError(_("The request pace cannot be negative; use 0 for no pacing."))
    if backend in (BackendName.VK, BackendName.MAX) and not token:
        raise IntegrationError(
            _("The %(backend)s backend needs a token; pass the name of the environment variable holding it.")
            % {"backend": backend}
        )
    if backend == BackendName.MAX and not chat_ids:
        raise IntegrationError(_("The max backend needs the school's chat ids (--chat-ids); MAX no longer lists them."))
    with transaction.atomic():
        integration = Integration.objects.select_for_update().filter(school=school).first() or Integration(
            school=school
        )
        before = _audited_values(integration) if integration.pk else None
        had_token = integration.has_token
        integration.backend = backend
        integration.base_url = base_url
        integration.token_encrypted = token_encrypt(token) if token else ""
        integration.chat_ids = [str(chat_id) for chat_id in (chat_ids or [])]
        integration.rps = rps
        integration.options = options or {}
        integration.enabled = True
        integration.full_clean()
        integration.save()
        token = "token replaced" if token else ("token removed" if had_token else "")
        _integration_audit(integration=integration, before=before, user=user, command=command, token=token)
    return integration


def _audited_values(integration: Integration) -> dict:
    return {name: getattr(integration, name) for name in _AUDITED_FIELDS}


def _integration_audit(*, integration: Integration, before: dict | None, user, command: str, token: str) -> bool:
    """Write the entry of a change of the integration (never the token: only whether it was replaced)."""
    changes = field_changes(before or {}, _audited_values(integration), _AUDITED_FIELDS)
    text = "; ".join(part for part in (changes_text(changes, named=_NAMED_FIELDS), token) if part)
    if not text:
        return False
    verb = "Connected" if before is None else "Changed the integration of"
    audit_record(
        user=user,
        action=SETTINGS_INTEGRATION,
        description=f"{verb} the school {integration.school.code}{by_whom(user, command=command)}: {text}.",
        school=integration.school,
    )
    return True


def integration_settings_save(*, integration: Integration, user) -> bool:
    """Save an integration edited by a site administrator (the admin; never its token), audited when changed."""
    with transaction.atomic():
        stored = Integration.objects.select_for_update().filter(pk=integration.pk).first() if integration.pk else None
        integration.save()
        before = _audited_values(stored) if stored is not None else None
        return _integration_audit(integration=integration, before=before, user=user, command="", token="")


def backend_build(*, integration: Integration) -> Backend:
    """Return a backend instance for the integration (the token decrypted only here, in memory)."""
    key = message_hash_key()
    rps = integration.rps if integration.rps is not None else DEFAULT_RPS.get(integration.backend, 0)
    if integration.backend == BackendName.SIMULATOR:
        return SimulatedSchool(
            seed=int(integration.options.get("seed", 42)),
            school_index=int(integration.options.get("school_index", 0)),
            today=clock.today(integration.school.tz),
            hash_key=key,
        )
    kwargs = {
        "retry": RetryPolicy(**settings.SFERUM_HTTP_RETRY),
        "timeout": settings.SFERUM_HTTP_TIMEOUT,
        "deadline": settings.SFERUM_HTTP_CALL_DEADLINE,
        **({"base_url": integration.base_url} if integration.base_url else {}),
    }
    if integration.backend in (BackendName.VK, BackendName.MAX):
        token = token_decrypt(integration.token_encrypted)
        kwargs["pacer"] = request_pacer(backend=integration.backend, token=token, rps=rps)
    if integration.backend == BackendName.VK:
        return VkBackend(token=token, hash_key=key, rps=rps, **kwargs)
    if integration.backend == BackendName.MAX:
        return MaxBackend(token=token, chat_ids=list(integration.chat_ids), hash_key=key, rps=rps, **kwargs)
    if integration.backend == BackendName.FILES:
        return files_backend_from_folder(integration.base_url)
    raise IntegrationError(_("The integration's backend is unknown; connect the school again."))


def files_backend_from_folder(
    folder: str, *, mapping: dict[str, str] | None = None, tz: zoneinfo.ZoneInfo | str | None = None
) -> FilesBackend:
    """Return the files backend of the newest member list (CSV or XLSX) in the folder.

    The newest file is the snapshot: older files in the folder are not read. Raise IntegrationError when the
    folder has no member list or the newest one has bad rows.
    """
    path = Path(folder) if folder else None
    files = (
        sorted(
            (item for item in path.iterdir() if item.is_file() and item.suffix.lower() in (".csv", ".xlsx")),
            key=lambda item: (item.stat().st_mtime, item.name),
        )
        if path is not None and path.is_dir()
        else []
    )
    if not files:
        raise IntegrationError(
            _("The folder «%(folder)s» holds no member list (CSV or XLSX); put the school's export there.")
            % {"folder": folder}
        )
    newest = files[-1]
    try:
        content = file_read(newest)
    except OSError as exc:
        raise IntegrationError(
            _("The file %(file)s cannot be read (%(reason)s); check its path.")
            % {"file": newest, "reason": exc.strerror or exc}
        ) from exc
    rows, errors = member_list_read(content=content, filename=newest.name, mapping=mapping, tz=tz)
    if errors:
        first = errors[0]
        where = _("row %(row)d") % {"row": first.row} if first.row else _("the file")
        raise IntegrationError(
            _("The member list «%(file)s» has %(count)d errors; the first, in %(where)s: %(message)s")
            % {"file": newest.name, "count": len(errors), "where": where, "message": first.message}
        )
    return FilesBackend(rows=rows)
