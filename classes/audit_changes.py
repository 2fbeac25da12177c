"""The wording of audited changes: who made a change without a login, and a field's old → new value.

Plain text helpers (no writes, no imports of the services) so every layer's service describes its change the
same way before it calls `classes.services.audit_record`. Descriptions name fields, counts and ids only: never
a child's name (152-ФЗ) nor a token or a secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

NO_VALUE = "—"


def by_whom(user, *, command: str = "") -> str:
    """Return "" for a change made by a login, else the words saying what made it (a command or a background job)."""
    if getattr(user, "pk", None):
        return ""
    if command:
        return f" (by the command {command})"
    return " (by a command or a background job, no user)"


def value_text(value: Any) -> str:
    """Return a field's value as the audit log shows it: "—" for empty, yes/no for a flag."""
    if value is None or value == "":
        return NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any], names: Iterable[str]) -> dict[str, tuple]:
    """Return {field: (old, new)} for each of `names` whose value differs between `before` and `after`."""
    return {name: (before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)}


def changes_text(changes: Mapping[str, tuple], *, hidden: Iterable[str] = (), named: Iterable[str] = ()) -> str:
    """Return "field: old → new; …" for the changes.

    A `hidden` field (a secret) says only that it was replaced; a `named` one (a free text) that it changed.
    """
    hidden, named = set(hidden), set(named)
    parts = []
    for name, (old, new) in changes.items():
        if name in hidden:
            parts.append(f"{name} replaced")
        elif name in named:
            parts.append(f"{name} changed")
        else:
            parts.append(f"{name}: {value_text(old)} → {value_text(new)}")
    return "; ".join(parts)
