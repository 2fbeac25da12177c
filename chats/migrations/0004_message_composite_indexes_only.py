"""Drop the message table's single-column indexes on chat and author (the composite indexes serve those lookups).

Only the two indexes are dropped: the field alteration Django would run drops and re-adds each foreign key,
which on PostgreSQL validates every stored message again under an exclusive lock (minutes at region scale).
DROP INDEX on PostgreSQL's partitioned parent drops the partitions' indexes with it; SQLite names them alike.
"""

import django.db.models.deletion
from django.db import migrations
from django.db import models

INDEXES = {
    "chats_message_author_id_e6296bfb": "author_id",
    "chats_message_chat_id_f3080004": "chat_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("activation", "0001_squashed_0003_invitelink_key_expired_at"),
        ("chats", "0003_message_partitions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "chats_message" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="author",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="messages",
                        to="activation.sferumaccount",
                        verbose_name="author",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="chat",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="chats.chat",
                        verbose_name="chat",
                    ),
                ),
            ],
        ),
    ]
