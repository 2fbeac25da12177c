"""The help requests' scenario: a school with two teacher logins and its administrator; a teacher asks."""

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from classes.help_requests import help_request_ask
from classes.models import HelpRequest
from classes.models import User
from classes.tests.factories import UserFactory
from classes.tests.scenario import SchoolData
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build
from classes.tests.scenario import teacher_user

MONDAY = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
QUESTION = "Родители не могут открыть ссылку-приглашение в чат 5А"
ANSWER = "Выпустите новую ссылку на странице класса"


@dataclass
class HelpSchool:
    """Class 1А's class teacher (`teacher`) and its subject teacher (`other_teacher`) with logins, the school's
    administrator (`admin`)."""

    data: SchoolData
    teacher: User
    other_teacher: User
    admin: User

    @property
    def school(self):
        return self.data.school

    def ask(self, text: str = QUESTION, topic: str = HelpRequest.Topic.INVITES, user: User | None = None):
        return help_request_ask(user=user or self.teacher, topic=topic, text=text)


def help_school() -> HelpSchool:
    """Return a new school with its two teacher logins and its administrator."""
    data = school_build(classes=1)
    other_teacher = UserFactory(role=User.Role.TEACHER, school=data.school, staff=data.teachers[1])
    return HelpSchool(data, teacher_user(data), other_teacher, school_admin(data.school))
