"""factory_boy factories of chats, memberships and message metadata."""

from datetime import UTC
from datetime import datetime

import factory

from activation.models import Backend
from activation.tests.factories import SferumAccountFactory
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from classes.tests.factories import SchoolFactory


class ChatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chat

    school = factory.SubFactory(SchoolFactory)
    backend = Backend.SIMULATOR
    platform_id = factory.Sequence(lambda n: str(2000000000 + n))
    kind = Chat.Kind.CLASS
    title = factory.Sequence(lambda n: f"Чат {n}")


class ChatMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMembership

    chat = factory.SubFactory(ChatFactory)
    account = factory.LazyAttribute(lambda o: SferumAccountFactory(school=o.chat.school))
    joined_at = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    chat = factory.SubFactory(ChatFactory)
    platform_id = factory.Sequence(lambda n: str(90000 + n))
    author = factory.LazyAttribute(lambda o: SferumAccountFactory(school=o.chat.school))
    sent_at = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    kind = Message.Kind.TEXT
    text_length = 20
