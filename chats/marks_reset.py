"""What moves the weekly marks of messages stored before (chats.message_marks): they are cleared, marked again later.

A school's new time zone moves its weeks; a chat deleted (the Django admin, a school deleted) takes messages
that other chats' bursts and copies counted. Both are rare: the school's messages are unmarked, and the next
sync or weekly job marks them again.
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.db.models.signals import pre_save
from django.dispatch import receiver

from classes.models import School

from .message_marks import message_marks_clear
from .models import Chat


@receiver(pre_save, sender=School, dispatch_uid="chats_school_zone_change")
def school_zone_change(sender, instance: School, raw: bool = False, **kwargs) -> None:
    """Before a school is saved with another time zone, unmark its messages (the next refresh marks them)."""
    if raw or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "timezone" not in update_fields:
        return
    before = getattr(instance, "stored_timezone", None)
    if before is None:  # not loaded from the database, or without its time zone
        before = School.objects.filter(pk=instance.pk).values_list("timezone", flat=True).first()
    if before is not None and before != instance.timezone:
        message_marks_clear(school_id=instance.pk)
    instance.stored_timezone = instance.timezone


@receiver(post_delete, sender=Chat, dispatch_uid="chats_chat_deleted_marks")
def chat_deleted(sender, instance: Chat, **kwargs) -> None:
    """After a chat and its messages are deleted, unmark the rest of its school's messages."""
    message_marks_clear(school_id=instance.school_id)
