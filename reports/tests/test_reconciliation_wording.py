"""The reconciliation's first comparison of a quarter is not announced as a repeat ("compared again")."""

import pytest
from django.urls import reverse

from classes.tests.scenario import SECOND_QUARTER_MONDAY as NOW

from .test_reconciliation_pages import Site

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def _messages(page: str) -> str:
    return page.split('class="messages"')[1].split("</ul>")[0]


def test_the_first_comparison_of_the_quarter_does_not_say_again(client):
    # given
    site = Site()
    client.force_login(site.admin)
    url = reverse("reconciliation-run", kwargs={"school_id": site.school.pk})
    # when
    first = client.post(url, follow=True).content.decode()
    second = client.post(url, follow=True).content.decode()
    # then
    assert "The roster is compared with Sferum for this quarter; resolve the items below." in _messages(first)
    assert "again" not in _messages(first)
    assert "The roster is compared with Sferum again." in _messages(second)


def test_the_first_comparison_reads_right_in_russian(client, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    site = Site()
    client.force_login(site.admin)
    # when
    page = client.post(reverse("reconciliation-run", kwargs={"school_id": site.school.pk}), follow=True)
    # then
    text = _messages(page.content.decode())
    assert "Список контингента сравнён со Сферумом за эту четверть; решите пункты ниже." in text
    assert "снова" not in text
