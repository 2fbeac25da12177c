# The enrollments' activation flags are kept by triggers on accounts, parent links, parents and enrollments
# (activation.student_flags); the stored enrollments are counted once here.

from django.db import migrations

from activation.student_flags import install_sql
from activation.student_flags import uninstall_sql


def triggers_install(apps, schema_editor):
    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def triggers_uninstall(apps, schema_editor):
    for statement in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("activation", "0001_squashed_0003_invitelink_key_expired_at"),
        ("classes", "0007_enrollment_activation_flags"),
    ]

    operations = [migrations.RunPython(triggers_install, triggers_uninstall)]
