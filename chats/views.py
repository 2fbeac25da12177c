"""Pages of the chats app: the chat registry with its class/kind mapping, and the sync log with its buttons.

Access: a school administrator sees and changes their own school; a municipal administrator sees the
registry and the sync log of their municipality's schools read-only (every POST here is the school
administrator's); a teacher gets 403; another school's address gives 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models import Q
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from classes import clock
from classes.access import ADMINS
from classes.access import can_write_school
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.access import school_for_user_or_404
from classes.access import schools_for_user
from classes.forms import HoldReleaseForm
from classes.models import School
from classes.models import User

from .filters import ChatRegistryFilter
from .forms import ChatMappingForm
from .mapping import chat_mapping_confirm
from .mapping import chat_mapping_set
from .mapping import chat_mappings_confirm
from .mapping import chat_registry
from .mapping import moderator_names
from .models import Chat
from .models import Integration
from .models import SyncRun
from .sync import memberships_current_count
from .sync_runs import sync_run_end
from .sync_start import SyncNotConnected
from .sync_start import sync_held_release
from .sync_start import sync_start

Role = User.Role
SYNC_RUNS_SHOWN = 20


def _next_or(request: HttpRequest, fallback: str) -> str:
    """Return the safe `next` address of the form, else the fallback."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _school_admin_school(request: HttpRequest, school_id: int) -> School:
    """Return the school administrator's own school (the writing views are theirs alone), else 404."""
    return school_for_user_or_404(user=request.user, school_id=school_id)


@role_required(*ADMINS)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def chat_registry_view(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's chats with their proposed or confirmed class and kind, members and moderators."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    day = clock.today(school.tz)
    filterset = ChatRegistryFilter(request.GET or None, queryset=chat_registry(school=school), school=school, day=day)
    chats = list(filterset.qs) if (not filterset.is_bound or filterset.is_valid()) else []
    counts = Chat.objects.filter(school=school).aggregate(
        total=Count("pk"), proposed=Count("pk", filter=Q(mapping_confirmed=False))
    )
    context = {
        "school": school,
        "filterset": filterset,
        "chats": [(chat, moderator_names(chat)) for chat in chats],
        "counts": counts,
        "can_edit": can_write_school(user=request.user),
        "query": request.GET.urlencode(),
    }
    htmx = getattr(request, "htmx", None)
    template = "chats/chat_registry.html"
    if htmx and not htmx.history_restore_request and htmx.target == "chat-results":
        template = "chats/_results.html"
    response = render(request, template, context)
    return response


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def chat_confirm(request: HttpRequest, school_id: int) -> HttpResponse:
    """Confirm the proposals of the chosen chats (checkboxes), of every chat shown, or of the one whose button was
    pressed."""
    school = _school_admin_school(request, school_id)
    fallback = reverse("chat-registry", kwargs={"school_id": school.pk})
    only = request.POST.get("only")
    if only:
        ids = [only]
    elif request.POST.get("all"):
        ids = request.POST.getlist("shown")
    else:
        ids = request.POST.getlist("chat")
    ids = [chat_id for chat_id in ids if str(chat_id).isdigit()]
    if not ids:
        messages.error(request, _("No chat was chosen; tick the chats to confirm."))
        return redirect(_next_or(request, fallback))
    if only:
        chat = Chat.objects.filter(school=school, pk=only).first()
        if chat is None:
            raise Http404
        chat_mapping_confirm(chat=chat)
        messages.success(request, _("The class and kind of «%(chat)s» are confirmed.") % {"chat": chat})
    else:
        count = chat_mappings_confirm(school=school, chat_ids=ids)
        messages.success(request, _("%(count)d chats' class and kind are confirmed.") % {"count": count})
    return redirect(_next_or(request, fallback))


@role_required(Role.SCHOOL_ADMIN)
def chat_update(request: HttpRequest, chat_id: int) -> HttpResponse:
    """Set a chat's class and kind by hand (an override confirms the mapping)."""
    chat = (
        Chat.objects.select_related("school__municipality__region", "school_class")
        .filter(pk=chat_id, school__in=schools_for_user(user=request.user))
        .first()
    )
    if chat is None:
        raise Http404
    school = chat.school
    day = clock.today(school.tz)
    registry_url = reverse("chat-registry", kwargs={"school_id": school.pk})
    initial = {"kind": chat.kind, "school_class": chat.school_class_id}
    form = ChatMappingForm(request.POST or None, initial=initial, school=school, day=day)
    if request.method == "POST" and form.is_valid():
        try:
            chat_mapping_set(chat=chat, kind=form.cleaned_data["kind"], school_class=form.cleaned_data["school_class"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("«%(chat)s» is now mapped by hand and confirmed.") % {"chat": chat})
            return redirect(_next_or(request, registry_url))
    return render(
        request,
        "chats/chat_form.html",
        {"school": school, "chat": chat, "form": form, "registry_url": registry_url, "next": _next_or(request, "")},
    )


@role_required(*ADMINS)
@require_safe
def sync_list(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's sync log: held runs waiting for confirmation, then the latest runs."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    runs = list(SyncRun.objects.filter(school=school).select_related("confirmed_by")[:SYNC_RUNS_SHOWN])
    held = list(
        SyncRun.objects.filter(school=school, status=SyncRun.Status.HELD, confirmed_at__isnull=True).order_by(
            "-started_at", "-pk"
        )
    )
    if held:
        current = memberships_current_count(school=school)
        for run in held:
            run.release_form = HoldReleaseForm(
                removals=run.held_removals, current=current, auto_id=f"id_run{run.pk}_%s"
            )
    integration = Integration.objects.filter(school=school).first()
    # The run just asked for (?run=), else the one queued or running: shown at once, updating itself.
    shown = next((run for run in runs if str(run.pk) == request.GET.get("run") or run.in_progress), None)
    context = {
        "school": school,
        "runs": runs,
        "held": held,
        "integration": integration,
        "progress_run": shown,
        "can_edit": can_write_school(user=request.user),
    }
    return render(request, "chats/sync_list.html", context)


@role_required(*ADMINS)
@require_safe
def sync_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress of one sync run (the partial the sync page polls every 2 s until the run has ended)."""
    return render(request, "chats/_sync_progress.html", {"run": _sync_run_or_404(request, run_id)})


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def sync_now(request: HttpRequest, school_id: int) -> HttpResponse:
    """Queue a sync of the school for the background worker and show its progress on the sync page at once."""
    school = _school_admin_school(request, school_id)
    fallback = reverse("sync-list", kwargs={"school_id": school.pk})
    try:
        outcome = sync_start(school=school)
    except SyncNotConnected as error:
        messages.error(request, str(error))
        return redirect(_next_or(request, fallback))
    if not outcome.started:
        messages.info(
            request, _("A sync of %(school)s is already under way; its progress is below.") % {"school": school}
        )
        return redirect(f"{fallback}?run={outcome.run.pk}")
    if outcome.error:
        messages.error(request, outcome.error)
        return redirect(_next_or(request, fallback))
    messages.success(request, _("A sync of %(school)s is queued; its progress is below.") % {"school": school})
    return redirect(f"{fallback}?run={outcome.run.pk}")


def _sync_run_or_404(request: HttpRequest, run_id: int) -> SyncRun:
    """Return the sync run if it is of a school the login may see, else raise 404."""
    run = (
        SyncRun.objects.select_related("school__municipality__region")
        .filter(pk=run_id, school__in=schools_for_user(user=request.user))
        .first()
    )
    if run is None:
        raise Http404
    return run


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def sync_confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    """Confirm a held sync: queue a sync of the school with its removals allowed, shown at once on the sync page."""
    run = _sync_run_or_404(request, run_id)
    fallback = reverse("sync-list", kwargs={"school_id": run.school_id})
    if run.status != SyncRun.Status.HELD or run.confirmed_at is not None:
        messages.error(request, _("Only a held sync waits for confirmation."))
        return redirect(_next_or(request, fallback))
    form = HoldReleaseForm(
        request.POST, removals=run.held_removals, current=memberships_current_count(school=run.school)
    )
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("removals_typed", [])))
        return redirect(_next_or(request, fallback))
    # A real backend's sync can take minutes: the worker runs it on a queued run the sync page shows at once.
    outcome = sync_held_release(run=run, user=request.user)
    if not outcome.started:
        messages.info(
            request, _("A sync of %(school)s is already under way; its progress is below.") % {"school": run.school}
        )
        return redirect(f"{fallback}?run={outcome.run.pk}")
    if outcome.error:
        messages.error(request, outcome.error)
        return redirect(_next_or(request, fallback))
    messages.success(request, _("The removals are confirmed; the sync is queued, its progress is below."))
    return redirect(f"{fallback}?run={outcome.run.pk}")


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def sync_end(request: HttpRequest, run_id: int) -> HttpResponse:
    """End a running sync by hand (its worker is stuck or gone) so the school can sync again; audited."""
    run = _sync_run_or_404(request, run_id)
    fallback = reverse("sync-list", kwargs={"school_id": run.school_id})
    if sync_run_end(run=run, user=request.user):
        messages.success(request, _("The run is ended; the school can sync again."))
    else:
        messages.error(request, _("This run is not running any more; nothing was changed."))
    return redirect(_next_or(request, fallback))
