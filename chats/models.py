"""Chats, their members and message metadata. No field here may hold message text."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activation.models import Backend
from activation.models import SferumAccount
from classes.dates import week_text
from classes.models import School
from classes.models import SchoolClass
from classes.models.fields import optional_link


class Chat(models.Model):
    class Kind(models.TextChoices):
        CLASS = "class", _("class (students)")
        SUBJECT = "subject", _("subject")
        PARENTS = "parents", _("parents")
        STAFF = "staff", _("staff")
        SCHOOL = "school", _("school-wide")
        CHANNEL = "channel", _("channel")
        OTHER = "other", _("other")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="chats", verbose_name=_("school"))
    backend = models.CharField(_("backend"), max_length=16, choices=Backend.choices)
    platform_id = models.CharField(_("platform id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    school_class = optional_link(SchoolClass, related_name="chats", verbose_name=_("class"))
    title = models.CharField(_("title"), max_length=255, blank=True)
    mapping_confirmed = models.BooleanField(
        _("mapping confirmed"),
        default=False,
        help_text=_("An administrator confirmed the class and kind; title changes no longer move it."),
    )
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    cursor = models.BigIntegerField(
        _("sync cursor"),
        null=True,
        blank=True,
        help_text=_("The newest message cursor stored with every message above it; the next sync reads on from it."),
    )
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    # The chat's history horizon (DESIGN.md): every message from this moment on is stored. Set on the chat's
    # first read: the sync's `since`, or its oldest message when the read reached its first message.
    history_from = models.DateTimeField(_("complete history from"), null=True, blank=True)
    history_from_start = models.BooleanField(
        _("history read from its first message"),
        default=False,
        help_text=_("The first read reached the chat's first message: every message it ever had is stored."),
    )

    class Meta:
        ordering = ["school", "title", "platform_id"]
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        constraints = [
            models.UniqueConstraint(fields=["school", "backend", "platform_id"], name="chat_unique_platform_id"),
        ]

    def __str__(self) -> str:
        return self.title or self.platform_id


class ChatMembership(models.Model):
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("chat"))
    account = models.ForeignKey(
        SferumAccount, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("account")
    )
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    is_admin = models.BooleanField(_("admin"), default=False)

    class Meta:
        ordering = ["chat", "account"]
        verbose_name = _("chat membership")
        verbose_name_plural = _("chat memberships")
        constraints = [
            # A member is in a chat at most once at a time; earlier stays keep their dates.
            models.UniqueConstraint(
                fields=["chat", "account"], condition=Q(left_at__isnull=True), name="membership_one_current"
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(joined_at__isnull=True) | Q(left_at__gte=models.F("joined_at")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.chat}"


class Message(models.Model):
    """Metadata of one platform message; the text itself is never stored."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        DOCUMENT = "document", _("document")
        VIDEO = "video", _("video")
        LINK = "link", _("link")
        PHOTO = "photo", _("photo")
        CALL = "call", _("call")
        SERVICE = "service", _("service event")

    # No single-column indexes on chat and author: the (chat, sent_at) and (author, sent_at) indexes below serve
    # every lookup by chat or author (deletes of chats and accounts too). At region scale the two plain indexes
    # took 234 MB per 10 million messages and two of six index updates per stored message.
    chat = models.ForeignKey(
        Chat, on_delete=models.CASCADE, related_name="messages", verbose_name=_("chat"), db_index=False
    )
    platform_id = models.CharField(_("platform id"), max_length=64)
    author = optional_link(SferumAccount, related_name="messages", verbose_name=_("author"), db_index=False)
    from_bot = models.BooleanField(_("from a bot or community"), default=False)
    sent_at = models.DateTimeField(_("sent"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    text_length = models.PositiveIntegerField(_("text length"), default=0)
    emoji_only = models.BooleanField(_("emoji only"), default=False)
    text_hash = models.CharField(_("keyed text hash"), max_length=64, blank=True)
    # The kinds the message carries, as bits (chats.materials.BITS): documents, videos, links, photos, a call.
    # A database default too: rows written outside Django (COPY) carry none unless they say so.
    attachments = models.PositiveSmallIntegerField(_("attachments"), default=0, db_default=0)
    # Where the platform reports them (VK's call attachment, its group call); empty otherwise, never guessed.
    # Empty columns cost a message nothing but its null bitmap, which the nullable author already needs.
    call_duration = models.PositiveIntegerField(_("call duration, seconds"), null=True, blank=True)
    call_participants = models.PositiveIntegerField(_("call participants"), null=True, blank=True)
    # The weekly job's marks (chats.message_marks), kept when messages are stored: in a burst of its author's
    # messages in the school's chats; repeating the text hash of another of them in the school's week. Empty
    # until marked (a partial index finds those); bot messages and service events are never either.
    burst_mark = models.BooleanField(_("in a burst"), null=True, blank=True, editable=False)
    duplicate_mark = models.BooleanField(_("near-duplicate"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["chat", "-sent_at", "platform_id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # With sent_at: on PostgreSQL the table is partitioned by it, and every unique constraint of a
            # partitioned table includes the partition key. A platform message's date never changes, and the
            # sync reads the chat's stored ids since the page's oldest date, so a message is still stored once.
            models.UniqueConstraint(fields=["chat", "platform_id", "sent_at"], name="message_unique_platform_id_sent"),
        ]
        indexes = [
            models.Index(fields=["author", "sent_at"], name="message_author_sent"),
            models.Index(fields=["chat", "sent_at"], name="message_chat_sent"),
            # Messages not marked yet: empty once the sync has marked what it stored.
            models.Index(fields=["chat"], condition=Q(burst_mark__isnull=True), name="message_marks_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.chat} #{self.platform_id}"


class Integration(models.Model):
    """How a school's Sferum data is read: the backend, its address, and its token (encrypted)."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="integration", verbose_name=_("school")
    )
    backend = models.CharField(_("backend"), max_length=16, choices=Backend.choices)
    base_url = models.CharField(_("address"), max_length=500, blank=True)
    token_encrypted = models.TextField(_("token (encrypted)"), blank=True, editable=False)
    chat_ids = models.JSONField(_("chat ids"), default=list, blank=True)
    rps = models.FloatField(_("requests per second"), null=True, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    history_from = models.DateTimeField(
        _("message history from"),
        null=True,
        blank=True,
        help_text=_(
            "The school's history horizon: every message of every readable chat from this moment on is stored. "
            "Weeks that start earlier are not evaluated."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["school"]
        verbose_name = _("Sferum integration")
        verbose_name_plural = _("Sferum integrations")
        constraints = [
            models.CheckConstraint(condition=Q(rps__isnull=True) | Q(rps__gte=0), name="integration_rps_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.get_backend_display()}"

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)


class SyncRun(models.Model):
    """The sync log: one row per run, with what it did and how it ended."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued: waits for the worker")
        RUNNING = "running", _("running")
        OK = "ok", _("done")
        HELD = "held", _("held: waits for confirmation")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sync_runs", verbose_name=_("school"))
    backend = models.CharField(_("backend"), max_length=16, choices=Backend.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration, s"), null=True, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    requests = models.PositiveIntegerField(_("requests"), default=0)
    retries = models.PositiveIntegerField(_("retries"), default=0)
    skipped_chats = models.JSONField(_("skipped chats"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    held_removals = models.PositiveIntegerField(_("removals held"), default=0)
    held_reason = models.TextField(_("why it was held"), blank=True)
    confirm_removals = models.BooleanField(_("removals confirmed for this run"), default=False)
    confirmed_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Who runs it: a run whose process is gone (same host, the pid absent or another process's) frees its
    # school at once; otherwise the lock holds until `hard_limit_at` and the lock timeout have both passed.
    worker_host = models.CharField(_("worker host"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("worker process id"), null=True, blank=True)
    worker_process = models.CharField(
        _("worker process start"),
        max_length=64,
        blank=True,
        help_text=_("Tells the process from a later one with its id."),
    )
    hard_limit_at = models.DateTimeField(
        _("hard time limit"), null=True, blank=True, help_text=_("The run cannot be alive after this moment.")
    )
    # Progress while it runs (the sync page polls it): chats listed, chats whose messages were read, messages read.
    chats_total = models.PositiveIntegerField(_("chats to read"), default=0)
    chats_done = models.PositiveIntegerField(_("chats read"), default=0)
    messages_read = models.PositiveIntegerField(_("messages read so far"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        indexes = [models.Index(fields=["school", "status", "-started_at"], name="syncrun_school_status")]
        constraints = [
            # The run's own row is the per-school lock: one running run per school.
            models.UniqueConstraint(
                fields=["school"], condition=Q(status="running"), name="syncrun_one_running_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.started_at:%Y-%m-%d %H:%M} · {self.get_status_display()}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ReportedActivity(models.Model):
    """A staff member's message count for one week, taken from a weekly activity report file.

    For a school whose only source is such a report (no chat history can be read), these counts replace
    message counting; the metrics layer adds them to the week's counts. One row per person and week: a
    later report for the same week replaces the count.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="reported_activity", verbose_name=_("school")
    )
    staff = models.ForeignKey(
        "classes.Staff", on_delete=models.CASCADE, related_name="reported_activity", verbose_name=_("staff member")
    )
    week_start = models.DateField(_("week (Monday)"))
    messages = models.PositiveIntegerField(_("messages"))
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        ordering = ["school", "-week_start", "staff"]
        verbose_name = _("reported activity")
        verbose_name_plural = _("reported activity")
        constraints = [
            models.UniqueConstraint(fields=["school", "staff", "week_start"], name="reported_activity_unique_week"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {week_text(self.week_start)} · {self.messages}"

    def clean(self) -> None:
        if self.week_start is not None and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": _("A week starts on a Monday; give the Monday of the week.")})
        if self.staff_id is not None and self.school_id is not None and self.staff.school_id != self.school_id:
            raise ValidationError({"staff": _("The staff member works at another school.")})
