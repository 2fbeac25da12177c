# Adds the invite link's own key (for the short URL i/<key>/) and the time it was expired by hand.
# The key is added nullable, filled row by row with a fresh key, then made unique and required
# (a unique column with a callable default cannot be added in one step: every row would get one value).

import activation.models
from django.db import migrations, models


def keys_fill(apps, schema_editor):
    InviteLink = apps.get_model("activation", "InviteLink")
    for link in InviteLink.objects.filter(key__isnull=True).only("pk"):
        link.key = activation.models.invite_key_new()
        link.save(update_fields=["key"])


class Migration(migrations.Migration):

    dependencies = [
        ('activation', '0002_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitelink',
            name='expired_at',
            field=models.DateTimeField(blank=True, help_text='When a teacher or administrator expired the link.', null=True, verbose_name='expired by hand'),
        ),
        migrations.AddField(
            model_name='invitelink',
            name='key',
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name='key'),
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='invitelink',
            name='key',
            field=models.CharField(default=activation.models.invite_key_new, editable=False, max_length=64, unique=True, verbose_name='key'),
        ),
        migrations.AddIndex(
            model_name='invitelink',
            index=models.Index(fields=['school_class', 'audience'], name='invite_class_audience'),
        ),
    ]
