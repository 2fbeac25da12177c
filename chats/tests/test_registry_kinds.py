"""The chat registry's kind filter offers and filters channels and school-wide chats (regulation 2.1)."""

import pytest
from django.urls import reverse

from chats.models import Chat
from chats.tests.factories import ChatFactory
from chats.tests.scenario import school_build
from classes.tests.scenario import NOW
from classes.tests.scenario import school_admin

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.mark.parametrize("kind", [Chat.Kind.CHANNEL, Chat.Kind.SCHOOL])
def test_the_kind_filter_finds_channels_and_school_wide_chats(client, kind):
    # given
    data = school_build()
    wanted = ChatFactory(school=data.school, kind=kind, title="Новости школы")
    ChatFactory(school=data.school, kind=Chat.Kind.OTHER, title="Прочее")
    client.force_login(school_admin(data.school))
    url = reverse("chat-registry", kwargs={"school_id": data.school.pk})
    # when
    page = client.get(url).content.decode()
    response = client.get(url, {"kind": kind})
    # then
    assert f'<option value="{kind}">' in page
    titles = response.content.decode()
    assert wanted.title in titles
    assert "Прочее" not in titles
