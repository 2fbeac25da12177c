"""What the management commands read from their options, with one sentence for each mistake: the school by its
code, a file's bytes, a column mapping. Each takes `fail`, which receives the sentence and must raise (by default a
CommandError); commands with a `--json` failure shape pass their own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from classes.models import School
from classes.tabular.columns import mapping_parse
from classes.tabular.reading import file_read

Fail = Callable[[str], NoReturn]


def command_error(message: str) -> NoReturn:
    raise CommandError(message)


def school_by_code(code: str, fail: Fail = command_error, schools: QuerySet[School] | None = None) -> School:
    """Return the school with this code, or fail saying there is none."""
    school = (School.objects.all() if schools is None else schools).filter(code=code).first()
    if school is None:
        fail(_("There is no school with the code «%(code)s»; create it with school_create first.") % {"code": code})
    return school


def file_content(path: Path, fail: Fail = command_error) -> bytes:
    """Return the file's bytes (within the import size limit), or fail saying why it cannot be read."""
    try:
        return file_read(path)
    except OSError as exc:
        fail(
            _("The file %(file)s cannot be read (%(reason)s); check its path.")
            % {"file": path, "reason": exc.strerror or exc}
        )


def column_mapping(items: list[str], fail: Fail = command_error) -> dict[str, str]:
    """Return the `--map "Header=column"` options as a mapping, or fail naming the one that is not."""
    try:
        return mapping_parse(items)
    except ValueError as exc:
        fail(_('«%(value)s» is not a column mapping; write it as --map "Header=column".') % {"value": exc.args[0]})
