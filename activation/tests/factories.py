"""factory_boy factories of Sferum accounts and invite links."""

import factory

from activation.models import Backend
from activation.models import InviteLink
from activation.models import SferumAccount
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory


class SferumAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SferumAccount

    school = factory.SubFactory(SchoolFactory)
    backend = Backend.SIMULATOR
    platform_user_id = factory.Sequence(lambda n: str(1000 + n))
    last_name = "Иванова"
    first_name = "Мария"
    role_code = SferumAccount.RoleCode.TEACHER
    status = SferumAccount.Status.ACTIVE


class InviteLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InviteLink

    school_class = factory.SubFactory(SchoolClassFactory)
    audience = InviteLink.Audience.STUDENTS
    url = factory.Sequence(lambda n: f"https://sferum.ru/?invite={n}")
