"""On PostgreSQL the database also refuses TRUNCATE on audit events (a row trigger does not see it).

Django's `flush` empties tables with TRUNCATE, so on PostgreSQL it now stops at the audit log: the log
is not emptied by a command either. (The test suite lifts the trigger around its own flush.)
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION recoup_refuse_change();
"""
DROP = "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event;"


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
