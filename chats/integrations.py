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
from classes.models import School
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
) -> Integration:
    """Create or update the school's integration; the token is stored encrypted and never returned."""
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
        integration.backend = backend
        integration.base_url = base_url
        integration.token_encrypted = token_encrypt(token) if token else ""
        integration.chat_ids = [str(chat_id) for chat_id in (chat_ids or [])]
        integration.rps = rps
        integration.options = options or {}
        integration.enabled = True
        integration.full_clean()
        integration.save()
    return integration


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
