"""The weekly job's marks of each message (chats.message_marks), kept when messages are stored.

Stored messages start unmarked; the next sync of their school, or the next weekly job, marks them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activation', '0001_squashed_0003_invitelink_key_expired_at'),
        ('chats', '0005_message_attachments'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='burst_mark',
            field=models.BooleanField(blank=True, editable=False, null=True, verbose_name='in a burst'),
        ),
        migrations.AddField(
            model_name='message',
            name='duplicate_mark',
            field=models.BooleanField(blank=True, editable=False, null=True, verbose_name='near-duplicate'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('burst_mark__isnull', True)), fields=['chat'], name='message_marks_pending'),
        ),
    ]
