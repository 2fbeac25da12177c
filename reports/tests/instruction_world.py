"""Builders of the instruction tests: files of each kind (real and fake), a municipality with two schools and their
administrators, another municipality, and an issued instruction."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from classes.models import School
from classes.models import User
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolFactory
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from reports.instructions import instruction_issue
from reports.models import Instruction

DEADLINE = date(2026, 11, 25)


def zip_bytes(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def pdf_file(name: str = "order.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf")


def docx_file(name: str = "report.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes("[Content_Types].xml", "word/document.xml"))


def xlsx_file(name: str = "table.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes("[Content_Types].xml", "xl/workbook.xml"))


@dataclass
class World:
    school: School
    other_school: School
    foreign_school: School
    municipal: User
    admin: User
    other_admin: User
    foreign_municipal: User
    foreign_admin: User
    regional: User


def world_build() -> World:
    """Return two schools of one municipality (in a region) with their administrators, and another municipality's
    school with its administrators."""
    region = RegionFactory()
    municipality = MunicipalityFactory(region=region)
    school = SchoolFactory(municipality=municipality, short_name="СОШ № 1")
    other_school = SchoolFactory(municipality=municipality, short_name="СОШ № 2")
    foreign = MunicipalityFactory()
    foreign_school = SchoolFactory(municipality=foreign, short_name="СОШ № 9")
    return World(
        school=school,
        other_school=other_school,
        foreign_school=foreign_school,
        municipal=municipal_admin(municipality),
        admin=school_admin(school),
        other_admin=school_admin(other_school),
        foreign_municipal=municipal_admin(foreign),
        foreign_admin=school_admin(foreign_school),
        regional=regional_admin(region),
    )


def issue(world: World, *, schools=None, deadline: date = DEADLINE, file=None, user=None) -> Instruction:
    return instruction_issue(
        user=user or world.municipal,
        title="Провести собрания",
        text="Секретный текст распоряжения",
        deadline=deadline,
        schools=schools if schools is not None else [world.school],
        file=file,
    )
