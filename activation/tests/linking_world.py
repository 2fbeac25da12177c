"""A school whose classes have their Sferum chats, for the tests of linking accounts through chat memberships.

Linking reads the memberships through the reverse relation that chats.ChatMembership declares (activation
does not import chats), so only this module of activation's tests builds chats: pyproject.toml's layers
contract lets it alone import the chats app.
"""

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.models import Chat
from chats.tests.factories import ChatFactory
from chats.tests.factories import ChatMembershipFactory
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StudentFactory


class LinkingWorld:
    """A school with classes 5А and 6Б, each with a students chat and a parents chat."""

    def __init__(self):
        self.school = SchoolFactory()
        year = AcademicYearFactory(school=self.school)
        self.classes = {
            name: SchoolClassFactory(school=self.school, year=year, grade=int(name[0]), letter=name[1])
            for name in ("5А", "6Б")
        }
        self.students_chat = {
            name: ChatFactory(school=self.school, kind=Chat.Kind.CLASS, school_class=c)
            for name, c in self.classes.items()
        }
        self.parents_chat = {
            name: ChatFactory(school=self.school, kind=Chat.Kind.PARENTS, school_class=c)
            for name, c in self.classes.items()
        }
        self.staff_chat = ChatFactory(school=self.school, kind=Chat.Kind.STAFF, school_class=None)

    def student(self, class_name, last_name, first_name, **enrollment):
        student = StudentFactory(school=self.school, last_name=last_name, first_name=first_name)
        EnrollmentFactory(student=student, school_class=self.classes[class_name], **enrollment)
        return student

    def parent(self, last_name, first_name, children):
        return ParentFactory(school=self.school, last_name=last_name, first_name=first_name, children=children)

    def account(self, last_name, first_name, role, *chats, **fields):
        status = SferumAccount.Status.ACTIVE if role else SferumAccount.Status.PENDING
        account = SferumAccountFactory(
            school=self.school,
            last_name=last_name,
            first_name=first_name,
            role_code=role or "",
            status=status,
            **fields,
        )
        for chat in chats:
            self.membership(chat, account)
        return account

    def membership(self, chat, account, **fields):
        """Return the account's membership of the chat (current unless `left_at` says otherwise)."""
        return ChatMembershipFactory(chat=chat, account=account, **fields)


def reload(*accounts):
    return [SferumAccount.objects.get(pk=account.pk) for account in accounts]
