from tortoise import migrations
from tortoise.migrations import operations as ops

from services.search import postgres_function_sql

# An activity logged on a client or contact only belongs to the client's only account
# (services/activities.py); a converted lead's activities follow it.
_ONLY_ACCOUNT = """
UPDATE activity SET account_id = (
    SELECT MIN(a.id) FROM account a
    WHERE a.client_id = activity.client_id AND a.archived_at IS NULL)
WHERE account_id IS NULL AND client_id IS NOT NULL
  AND (SELECT COUNT(*) FROM account a
       WHERE a.client_id = activity.client_id AND a.archived_at IS NULL) = 1
"""
_LEAD_ACCOUNT = """
UPDATE activity SET
    account_id = (SELECT l.converted_account_id FROM lead l WHERE l.id = activity.lead_id),
    client_id = (SELECT l.converted_client_id FROM lead l WHERE l.id = activity.lead_id)
WHERE account_id IS NULL AND client_id IS NULL
  AND lead_id IN (SELECT l.id FROM lead l WHERE l.converted_account_id IS NOT NULL)
"""
_LEAD_CONTACT = """
UPDATE activity SET
    contact_id = (SELECT l.converted_contact_id FROM lead l WHERE l.id = activity.lead_id)
WHERE contact_id IS NULL
  AND lead_id IN (SELECT l.id FROM lead l
                  WHERE l.converted_contact_id IS NOT NULL
                    AND l.converted_client_id = activity.client_id)
"""


async def fold_function(apps, schema_editor) -> None:
    """PostgreSQL's accountgraph_fold (SQLite's is registered on each connection)."""
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(postgres_function_sql())


async def drop_fold_function(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP FUNCTION IF EXISTS accountgraph_fold(text)")


class Migration(migrations.Migration):
    dependencies = [('models', '0009_prospect_teams_and_masked_audit_urls')]

    initial = False

    operations = [
        ops.RunPython(fold_function, drop_fold_function),
        ops.RunSQL([_LEAD_ACCOUNT, _LEAD_CONTACT, _ONLY_ACCOUNT], ops.RunSQL.noop),
    ]
