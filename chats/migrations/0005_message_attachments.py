"""What a message carries (chats.materials): bits of its attachment kinds, and a call's duration and participants.

Stored messages get the bit of the kind they were stored with (before this, a message kept only its first
attachment's kind); durations and participants of stored calls stay empty (not reported).
"""

from django.db import migrations
from django.db import models

BITS = {"document": 1, "video": 2, "link": 4, "photo": 8, "call": 16}  # chats.materials.BITS at this migration


def bits_from_kind(apps, schema_editor):
    Message = apps.get_model("chats", "Message")
    for kind, bit in BITS.items():
        Message.objects.filter(kind=kind).update(attachments=bit)


class Migration(migrations.Migration):
    dependencies = [
        ("chats", "0004_message_composite_indexes_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="attachments",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, verbose_name="attachments"),
        ),
        migrations.AddField(
            model_name="message",
            name="call_duration",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="call duration, seconds"),
        ),
        migrations.AddField(
            model_name="message",
            name="call_participants",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="call participants"),
        ),
        migrations.RunPython(bits_from_kind, migrations.RunPython.noop, elidable=True),
    ]
