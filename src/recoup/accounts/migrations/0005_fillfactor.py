"""Leave room in account and open-item pages so balance updates stay heap-only (HOT) on PostgreSQL.

Posting a payment rewrites the cached balance columns of the account and its items; with free space
on the page PostgreSQL can do that without touching the tables' indexes.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE accounts_account SET (fillfactor = 85)", params=None)
        schema_editor.execute("ALTER TABLE accounts_open_item SET (fillfactor = 85)", params=None)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE accounts_account RESET (fillfactor)", params=None)
        schema_editor.execute("ALTER TABLE accounts_open_item RESET (fillfactor)", params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_ledger_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
