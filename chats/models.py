"""Chats, their members and message metadata. No field here may hold message text."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activation.models import Backend, SferumAccount
from classes.models import School, SchoolClass


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
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chats",
        verbose_name=_("class"),
    )
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

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages", verbose_name=_("chat"))
    platform_id = models.CharField(_("platform id"), max_length=64)
    author = models.ForeignKey(
        SferumAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("author"),
    )
    from_bot = models.BooleanField(_("from a bot or community"), default=False)
    sent_at = models.DateTimeField(_("sent"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    text_length = models.PositiveIntegerField(_("text length"), default=0)
    emoji_only = models.BooleanField(_("emoji only"), default=False)
    text_hash = models.CharField(_("keyed text hash"), max_length=64, blank=True)

    class Meta:
        ordering = ["chat", "-sent_at", "platform_id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["chat", "platform_id"], name="message_unique_platform_id"),
        ]
        indexes = [
            models.Index(fields=["author", "sent_at"], name="message_author_sent"),
            models.Index(fields=["chat", "sent_at"], name="message_chat_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.chat} #{self.platform_id}"
