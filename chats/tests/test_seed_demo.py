"""`seed_demo`: the demo municipality from the simulator, through the real import and sync services."""

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from activation.models import SferumAccount
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from chats.sync import message_hash_key
from chats.sync import school_sync
from chats.tests.scenario import MEMBERSHIP_FIELDS
from chats.tests.scenario import MESSAGE_FIELDS
from classes.models import Enrollment
from classes.models import Municipality
from classes.models import Parent
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from classes.models import Student
from classes.models import TeachingAssignment
from classes.models import User
from sferum_api.simulator import SimulatedSchool

pytestmark = [pytest.mark.slow, pytest.mark.clock(datetime(2026, 11, 30, 9, tzinfo=UTC))]


def _seed(*args: str) -> dict:
    out = StringIO()
    call_command("seed_demo", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _dump() -> dict[str, list]:
    """Return every seeded row by its natural fields (no auto ids, no auto timestamps), sorted."""
    queries = {
        "municipality": Municipality.objects.values_list("code", "name"),
        "school": School.objects.values_list("code", "full_name", "municipality__code", "timezone"),
        "class": SchoolClass.objects.values_list(
            "school__code", "year__name", "grade", "letter", "class_teacher__person_id"
        ),
        "staff": Staff.objects.values_list(
            "school__code", "person_id", "last_name", "first_name", "patronymic", "position", "teaches", "employed_from"
        ),
        "student": Student.objects.values_list("school__code", "person_id", "last_name", "first_name", "birth_date"),
        "enrollment": Enrollment.objects.values_list(
            "student__school__code", "student__person_id", "school_class__grade", "school_class__letter", "starts_on"
        ),
        "parent": Parent.objects.values_list(
            "school__code", "person_id", "last_name", "first_name", "children__person_id"
        ),
        "assignment": TeachingAssignment.objects.values_list(
            "staff__school__code", "staff__person_id", "school_class__grade", "school_class__letter", "subject"
        ),
        "absence": StaffAbsence.objects.values_list("staff__person_id", "kind", "starts_on", "ends_on"),
        "account": SferumAccount.objects.values_list(
            "school__code",
            "platform_user_id",
            "last_name",
            "first_name",
            "role_code",
            "status",
            "staff__person_id",
            "student__person_id",
            "parent__person_id",
        ),
        "chat": Chat.objects.values_list(
            "school__code",
            "platform_id",
            "title",
            "kind",
            "school_class__grade",
            "school_class__letter",
            "cursor",
            "last_synced_at",
        ),
        "membership": ChatMembership.objects.values_list(*MEMBERSHIP_FIELDS),
        "message": Message.objects.values_list(*MESSAGE_FIELDS),
        "user": User.objects.values_list(
            "username", "role", "region__code", "municipality__code", "school__code", "staff__person_id"
        ),
    }
    return {name: sorted(query, key=repr) for name, query in queries.items()}


@pytest.mark.django_db(transaction=True)
def test_seed_demo_is_deterministic_and_idempotent():
    # given / when
    first = _seed("--schools", "1", "--seed", "7")
    dumped = _dump()
    # then: a second run changes nothing
    assert _seed("--schools", "1", "--seed", "7")["status"] == "exists"
    assert _dump() == dumped
    # when: the same seed on an empty database
    call_command("flush", interactive=False, verbosity=0)
    second = _seed("--schools", "1", "--seed", "7")
    # then
    assert second == first
    assert _dump() == dumped


@pytest.mark.django_db
def test_seed_demo_figures_and_logins():
    # when
    result = _seed()
    # then
    assert result["status"] == "ok"
    assert result["schools"] == ["DEMO-1", "DEMO-2"]
    assert result["classes"] == 66
    assert 2 * 33 * 20 <= result["students"] <= 2 * 33 * 30
    assert result["parents"] > result["students"]
    assert 90 <= result["staff"] <= 120
    assert result["chats"] >= 2 * 70
    assert 20_000 <= result["messages"] <= 50_000
    municipality = Municipality.objects.get(code="demo")
    assert municipality.name == "Демонстрационный муниципальный округ"
    assert list(municipality.schools.values_list("full_name", flat=True).order_by("code")) == [
        "МАОУ СОШ № 15",
        "МБОУ Гимназия № 3",
    ]
    first = School.objects.get(code="DEMO-1")
    users = {user.username: user for user in User.objects.all()}
    assert set(users) == {"demo_regional", "demo_municipal", "demo_admin", "demo_teacher"}
    assert (users["demo_regional"].role, users["demo_regional"].region) == ("regional_admin", municipality.region)
    assert municipality.region.code == "demo" and municipality.students_target is None  # it follows the region
    assert (users["demo_municipal"].role, users["demo_municipal"].municipality) == ("municipal_admin", municipality)
    assert (users["demo_municipal"].school, users["demo_municipal"].staff) == (None, None)
    assert (users["demo_admin"].role, users["demo_admin"].school, users["demo_admin"].municipality) == (
        "school_admin",
        first,
        None,
    )
    teacher = users["demo_teacher"]
    assert (teacher.role, teacher.school, teacher.municipality) == ("teacher", first, None)
    assert teacher.staff.school == first and teacher.staff.led_classes.exists()
    assert not any(user.is_staff or user.is_superuser for user in users.values())
    assert all(user.check_password(settings.DEMO_PASSWORD) for user in users.values())
    absences = list(StaffAbsence.objects.filter(staff__school=first).order_by("starts_on"))
    assert [(a.ends_on - a.starts_on).days for a in absences] == [4, 1]
    # every class has its students' and parents' chats mapped, and most accounts are linked
    for school in School.objects.all():
        mapped = Chat.objects.filter(school=school, school_class__isnull=False)
        assert mapped.filter(kind="class").count() == mapped.filter(kind="parents").count() == 33
        accounts = SferumAccount.objects.filter(school=school)
        unlinked = accounts.filter(staff=None, student=None, parent=None).count()
        assert 0 < unlinked < 0.01 * accounts.count()


@pytest.mark.django_db
def test_a_second_sync_of_a_seeded_school_adds_nothing():
    # given
    _seed("--schools", "1")
    school = School.objects.get(code="DEMO-1")
    backend = SimulatedSchool(seed=42, school_index=0, today=date(2026, 11, 30), hash_key=message_hash_key())
    # when
    result = school_sync(school=school, backend=backend)
    # then
    assert result.status == "ok"
    assert (result.chats_added, result.members_added, result.members_removed) == (0, 0, 0)
    assert (result.messages_added, result.messages_duplicates) == (0, 0)
    assert result.accounts_ambiguous == 2  # a student registered twice: never guessed
    assert result.unknown_role_codes == ["methodist"]


def test_seed_demo_refuses_a_wrong_number_of_schools():
    with pytest.raises(CommandError, match="between 1 and 5"):
        call_command("seed_demo", "--schools", "9")
