"""The chat registry (confirm or override the proposed class and kind) and the sync log with its buttons."""

from unittest import mock

import pytest
from django.urls import reverse

from chats.models import Chat
from chats.models import Integration
from chats.models import SyncRun
from chats.services import SyncAlreadyRunning
from chats.sync import SyncResult
from chats.tasks import sync_held_confirm_task
from chats.tests.factories import ChatFactory
from chats.tests.scenario import classes_add
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def registry_url(school) -> str:
    return reverse("chat-registry", kwargs={"school_id": school.pk})


def connect(school) -> Integration:
    return Integration.objects.create(school=school, backend="simulator")


# Denials: every page and button


def pages(data, run, chat) -> dict[str, tuple[str, str]]:
    school_id = data.school.pk
    return {
        "registry": ("get", registry_url(data.school)),
        "confirm": ("post", reverse("chat-confirm", kwargs={"school_id": school_id})),
        "update": ("get", reverse("chat-update", kwargs={"chat_id": chat.pk})),
        "syncs": ("get", reverse("sync-list", kwargs={"school_id": school_id})),
        "sync-now": ("post", reverse("sync-now", kwargs={"school_id": school_id})),
        "sync-confirm": ("post", reverse("sync-confirm", kwargs={"run_id": run.pk})),
        "sync-end": ("post", reverse("sync-end", kwargs={"run_id": run.pk})),
    }


@pytest.mark.parametrize("page", ["registry", "confirm", "update", "syncs", "sync-now", "sync-confirm", "sync-end"])
def test_denials(client, page):
    # given
    data, other = school_build(), school_build()
    run = sync_runs_add(data.school)[1]
    chat = Chat.objects.filter(school=data.school).first()
    method, url = pages(data, run, chat)[page]
    call = getattr(client, method)
    # when / then: anonymous → login; teacher → 403; another school's administrator → 404;
    # another municipality's administrator → 404 (a read page) or 403 (a button)
    response = call(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(teacher_user(data))
    assert call(url).status_code == 403
    client.force_login(school_admin(other.school))
    assert call(url).status_code == 404
    client.force_login(municipal_admin(MunicipalityFactory()))
    assert call(url).status_code in (403, 404)


@pytest.mark.parametrize("regional", [False, True])
@pytest.mark.parametrize("page", ["confirm", "update", "sync-now", "sync-confirm", "sync-end"])
def test_the_municipal_administrator_may_not_write(client, page, regional):
    # given: the school's municipal administrator, or its region's regional administrator
    data = school_build()
    run = sync_runs_add(data.school)[1]
    chat = Chat.objects.filter(school=data.school).first()
    method, url = pages(data, run, chat)[page]
    if regional:
        municipality = data.school.municipality
        municipality.region = RegionFactory()
        municipality.save(update_fields=["region"])
        client.force_login(regional_admin(municipality.region))
    else:
        client.force_login(municipal_admin(data.school.municipality))
    # when
    response = getattr(client, "post" if method == "post" else "get")(url, {"chat": [chat.pk]})
    # then
    assert response.status_code == 403
    assert not Chat.objects.filter(mapping_confirmed=True).exists()


@pytest.mark.parametrize("regional", [False, True])
def test_the_municipal_administrator_reads_the_registry_and_the_log(client, regional):
    # given: the school's municipal administrator, or its region's regional administrator
    data = school_build()
    sync_runs_add(data.school)
    if regional:
        municipality = data.school.municipality
        municipality.region = RegionFactory()
        municipality.save(update_fields=["region"])
        client.force_login(regional_admin(municipality.region))
    else:
        client.force_login(municipal_admin(data.school.municipality))
    # when
    registry = client.get(registry_url(data.school))
    log = client.get(reverse("sync-list", kwargs={"school_id": data.school.pk}))
    # then
    assert registry.status_code == 200 and log.status_code == 200
    assert b'name="only"' not in registry.content
    assert b"Confirm the removals" not in log.content


# The registry


def test_the_registry_lists_proposals_first_with_members_and_moderators(client):
    # given
    data = school_build(classes=2)
    Chat.objects.filter(school=data.school, school_class=data.classes[0], kind=Chat.Kind.CLASS).update(
        mapping_confirmed=True
    )
    client.force_login(school_admin(data.school))
    # when
    response = client.get(registry_url(data.school))
    # then
    chats = [chat for chat, _moderators in response.context["chats"]]
    assert [chat.mapping_confirmed for chat in chats] == [False, False, True]
    assert response.context["counts"] == {"total": 3, "proposed": 2}
    chat, moderators = response.context["chats"][0]
    assert chat.members == 1
    assert moderators == [data.teachers[2].full_name] or moderators == [data.teachers[0].full_name]


def test_the_registry_filters(client):
    # given
    data = school_build(classes=2)
    client.force_login(school_admin(data.school))
    # when
    parents = client.get(registry_url(data.school), {"kind": "parents"}).context["chats"]
    by_class = client.get(registry_url(data.school), {"school_class": data.classes[1].pk}).context["chats"]
    by_title = client.get(registry_url(data.school), {"title": "родит"}).context["chats"]
    # then
    assert [chat.kind for chat, _m in parents] == ["parents"]
    assert [chat.title for chat, _m in by_class] == ["2А"]
    assert [chat.title for chat, _m in by_title] == ["1А родители"]


def test_the_registry_filter_offers_only_the_schools_classes(client):
    # given
    data, other = school_build(classes=1), school_build(classes=1)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(registry_url(data.school), {"school_class": other.classes[0].pk})
    # then: the other school's class is not a valid choice, and nothing leaks
    assert response.status_code == 200
    assert response.context["chats"] == []


def test_htmx_gets_the_results_partial(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(
        registry_url(data.school), {"kind": "class"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="chat-results"
    )
    # then
    assert response.templates[0].name == "chats/_results.html"
    assert b"<html" not in response.content


def test_confirm_one_chat(client):
    # given
    data = school_build(classes=2)
    chat = Chat.objects.filter(school=data.school).first()
    client.force_login(school_admin(data.school))
    # when
    response = client.post(reverse("chat-confirm", kwargs={"school_id": data.school.pk}), {"only": chat.pk})
    # then
    assert response.status_code == 302
    assert list(Chat.objects.filter(mapping_confirmed=True)) == [chat]


def test_confirm_the_ticked_chats_and_every_shown_one(client):
    # given
    data, other = school_build(classes=2), school_build(classes=1)
    mine = list(Chat.objects.filter(school=data.school).order_by("pk"))
    foreign = Chat.objects.filter(school=other.school).first()
    client.force_login(school_admin(data.school))
    url = reverse("chat-confirm", kwargs={"school_id": data.school.pk})
    # when: ticked, with another school's chat smuggled in
    client.post(url, {"chat": [mine[0].pk, foreign.pk]})
    # then
    assert set(Chat.objects.filter(mapping_confirmed=True)) == {mine[0]}
    # when: every shown proposal
    client.post(url, {"all": "1", "shown": [chat.pk for chat in mine]})
    # then
    assert set(Chat.objects.filter(mapping_confirmed=True)) == set(mine)
    foreign.refresh_from_db()
    assert foreign.mapping_confirmed is False


def test_confirm_nothing_says_so(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.post(reverse("chat-confirm", kwargs={"school_id": data.school.pk}), follow=True)
    # then
    assert "No chat was chosen" in response.content.decode()


def test_override_sets_class_and_kind_and_confirms(client):
    # given
    data = school_build(classes=2)
    chat = ChatFactory(school=data.school, kind=Chat.Kind.OTHER, title="Английский 2А")
    client.force_login(school_admin(data.school))
    url = reverse("chat-update", kwargs={"chat_id": chat.pk})
    # when
    response = client.post(url, {"kind": "subject", "school_class": data.classes[1].pk})
    # then
    assert response.status_code == 302
    chat.refresh_from_db()
    assert (chat.kind, chat.school_class_id, chat.mapping_confirmed) == ("subject", data.classes[1].pk, True)


@pytest.mark.parametrize(
    ("kind", "with_class", "error"),
    [
        ("parents", False, "belongs to a class"),
        ("school", True, "belongs to the whole school"),
    ],
)
def test_override_refuses_a_mapping_that_clashes(client, kind, with_class, error):
    # given
    data = school_build()
    chat = ChatFactory(school=data.school, kind=Chat.Kind.OTHER)
    client.force_login(school_admin(data.school))
    # when
    response = client.post(
        reverse("chat-update", kwargs={"chat_id": chat.pk}),
        {"kind": kind, "school_class": data.classes[0].pk if with_class else ""},
    )
    # then
    assert response.status_code == 200
    assert error in response.content.decode()
    chat.refresh_from_db()
    assert chat.mapping_confirmed is False


def test_override_offers_no_other_schools_class(client):
    # given
    data, other = school_build(), school_build()
    chat = ChatFactory(school=data.school, kind=Chat.Kind.OTHER)
    client.force_login(school_admin(data.school))
    # when
    response = client.post(
        reverse("chat-update", kwargs={"chat_id": chat.pk}), {"kind": "class", "school_class": other.classes[0].pk}
    )
    # then
    assert response.status_code == 200
    chat.refresh_from_db()
    assert chat.school_class_id is None


def test_the_registry_makes_as_many_queries_whatever_the_size(client, django_assert_num_queries):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 7), letter="А", students=1)

    # when / then
    assert_constant_queries(client, registry_url(data.school), grow, django_assert_num_queries)


# The sync log and its buttons


def test_sync_now_queues_the_school(client, django_capture_on_commit_callbacks):
    # given
    data = school_build()
    connect(data.school)
    client.force_login(school_admin(data.school))
    # when
    with mock.patch("chats.sync_start.sync_school.delay_on_commit") as delay:
        response = client.post(reverse("sync-now", kwargs={"school_id": data.school.pk}))
    # then: a queued run is recorded and handed to the task, and the sync page shows it
    run = SyncRun.objects.get(school=data.school)
    assert run.status == SyncRun.Status.QUEUED
    assert response.status_code == 302
    assert response["Location"] == reverse("sync-list", kwargs={"school_id": data.school.pk}) + f"?run={run.pk}"
    delay.assert_called_once_with(data.school.pk, run.pk)


def test_sync_now_without_an_integration_says_what_to_do(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    with mock.patch("chats.sync_start.sync_school.delay_on_commit") as delay:
        response = client.post(reverse("sync-now", kwargs={"school_id": data.school.pk}), follow=True)
    # then
    delay.assert_not_called()
    assert "not connected to Sferum" in response.content.decode()


def test_sync_now_is_post_only(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when / then
    assert client.get(reverse("sync-now", kwargs={"school_id": data.school.pk})).status_code == 405


def test_confirming_a_held_sync_queues_it_for_the_worker(client, django_capture_on_commit_callbacks):
    # given
    data = school_build()
    held = sync_runs_add(data.school)[1]
    user = school_admin(data.school)
    client.force_login(user)
    # when
    with (
        mock.patch("chats.sync_start.sync_held_confirm_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("sync-confirm", kwargs={"run_id": held.pk}), {"removals_typed": "40"}, follow=True
        )
    # then: a queued run is shown at once and handed to the task
    queued = SyncRun.objects.get(school=data.school, status=SyncRun.Status.QUEUED)
    delay.assert_called_once_with(held.pk, user.pk, queued.pk)
    assert "The removals are confirmed" in response.content.decode()
    assert 'id="sync-progress"' in response.content.decode()


def test_the_confirm_task_syncs_again_with_removals_allowed():
    # given
    data = school_build()
    held = sync_runs_add(data.school)[1]
    user = school_admin(data.school)
    done = SyncRun(school=data.school, backend="simulator", status=SyncRun.Status.OK, started_at=NOW)
    # when
    with mock.patch("chats.tasks.sync_held_confirm", return_value=(done, SyncResult())) as confirm:
        status = sync_held_confirm_task.delay(held.pk, user.pk).get()
    # then
    confirm.assert_called_once_with(run=held, user=user, queued_id=None)
    assert status == "ok"


def test_the_confirm_task_skips_quietly_while_a_sync_runs():
    data = school_build()
    held = sync_runs_add(data.school)[1]
    with mock.patch("chats.tasks.sync_held_confirm", side_effect=SyncAlreadyRunning("A sync is already running.")):
        assert sync_held_confirm_task.delay(held.pk, None).get() == "already_running"


def test_confirming_a_run_that_is_not_held_is_refused(client):
    # given
    data = school_build()
    ok_run = sync_runs_add(data.school)[0]
    client.force_login(school_admin(data.school))
    # when
    with mock.patch("chats.sync_start.sync_held_confirm_task.delay") as delay:
        response = client.post(reverse("sync-confirm", kwargs={"run_id": ok_run.pk}), follow=True)
    # then
    delay.assert_not_called()
    assert "Only a held sync waits for confirmation." in response.content.decode()


def test_the_sync_log_makes_as_many_queries_whatever_the_size(client, django_assert_num_queries):
    # given
    data = school_build()
    connect(data.school)
    sync_runs_add(data.school, held=1)
    client.force_login(school_admin(data.school))
    url = reverse("sync-list", kwargs={"school_id": data.school.pk})

    # when / then
    assert_constant_queries(client, url, lambda: sync_runs_add(data.school, held=5), django_assert_num_queries)
