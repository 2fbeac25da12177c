"""The admin explains a week's count: the counted messages' dates, chats and kinds, never text."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from activation.tests.factories import SferumAccountFactory
from chats.models import Message
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import UserFactory
from reports.models import WeeklyActivity
from reports.services import weekly_activity_build

pytestmark = pytest.mark.django_db


def test_the_admin_lists_the_counted_messages_of_a_week(client):
    # given
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    account = SferumAccountFactory(school=school, staff=staff)
    chat = ChatFactory(school=school, title="5А родители", kind="parents")
    for minutes in range(3):
        MessageFactory(
            chat=chat, author=account, sent_at=datetime(2026, 11, 17, 9, tzinfo=UTC) + timedelta(minutes=minutes)
        )
    MessageFactory(chat=chat, author=account, kind=Message.Kind.SERVICE, sent_at=datetime(2026, 11, 18, tzinfo=UTC))
    weekly_activity_build(school=school, week_start=date(2026, 11, 16))
    row = WeeklyActivity.objects.get(staff=staff)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # when
    response = client.get(reverse("admin:reports_weeklyactivity_change", args=[row.pk]))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("5А родители") == 3
    assert "17.11.2026 12:00:00" in page  # Moscow time
    assert page.count(str(_("in a burst"))) == 3  # the page is in the active language
    assert client.get(reverse("admin:reports_weeklyactivity_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_activationsnapshot_changelist")).status_code == 200
