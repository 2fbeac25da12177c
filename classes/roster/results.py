"""What a roster import did, would do, or why it did nothing: counts, errors and the changes per class."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from classes.holds import removals_need_typed_count
from classes.models import RosterImport
from classes.tabular.errors import RowError


def _class_counts() -> dict[str, int]:
    return {"added": 0, "updated": 0}


def _people_counts() -> dict[str, int]:
    return {"added": 0, "updated": 0, "left": 0}


def _student_counts() -> dict[str, int]:
    return {"added": 0, "updated": 0, "left": 0, "moved": 0}


@dataclass
class ClassChanges:
    """What a roster file changes in one class's students: the names of those added, moved in, and so on."""

    name: str
    added: list[str] = field(default_factory=list)
    moved_in: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved_out: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    new_class: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.moved_in or self.updated or self.moved_out or self.left)


@dataclass
class RosterImportResult:
    """What an import did (ok), would do (held), or why it did nothing (failed)."""

    status: str  # RosterImport.Status: "ok" | "held" | "failed"
    classes: dict[str, int] = field(default_factory=_class_counts)
    staff: dict[str, int] = field(default_factory=_people_counts)
    students: dict[str, int] = field(default_factory=_student_counts)
    parents: dict[str, int] = field(default_factory=_people_counts)
    errors: list[RowError] = field(default_factory=list)
    # Held: how many of the school's current people would leave, and the classes that would be emptied.
    would_leave: int = 0
    current_people: int = 0
    emptied_classes: list[str] = field(default_factory=list)
    log: RosterImport | None = None
    # A dry run (the upload page's preview): the changes per class, in class order.
    class_changes: list[ClassChanges] = field(default_factory=list)
    dry_run: bool = False
    # Held although confirmed: the release removes more than half of the people and the typed number was wrong.
    typed_count_wrong: bool = False

    @property
    def removals_need_typed_count(self) -> bool:
        """Return True when releasing this hold needs the number of people leaving typed (classes.holds)."""
        return removals_need_typed_count(removals=self.would_leave, current=self.current_people)

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return {"classes": self.classes, "staff": self.staff, "students": self.students, "parents": self.parents}

    def to_json(self, school_code: str, file: str) -> dict[str, Any]:
        """Return the `roster_import --json` object of CLI.md (a held one also says who would leave)."""
        data: dict[str, Any] = {"school": school_code, "status": self.status, "file": file}
        data.update({name: dict(counts) for name, counts in self.counts.items()})
        data["errors"] = [error.as_dict() for error in self.errors]
        if self.status == RosterImport.Status.HELD:
            data["would_leave"] = self.would_leave
            data["current_people"] = self.current_people
            data["emptied_classes"] = list(self.emptied_classes)
        return data
