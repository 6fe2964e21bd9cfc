import json
from urllib.parse import urlsplit, urlunsplit

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

# A prospect belongs to the team that created it: the creator's team from the audit log,
# else the team of the owner of the first account under it. A client with neither stays
# without a team, which administrators alone see until an account is opened under it.
CREATORS_TEAM = """
UPDATE client SET team_id = (
    SELECT app_user.team_id FROM audit_log_entry
    JOIN app_user ON app_user.id = audit_log_entry.actor_id
    WHERE audit_log_entry.record_type = 'Client' AND audit_log_entry.record_id = client.id
      AND audit_log_entry.action = 'CREATE'
    ORDER BY audit_log_entry.id LIMIT 1
) WHERE team_id IS NULL
"""
FIRST_ACCOUNT_OWNERS_TEAM = """
UPDATE client SET team_id = (
    SELECT app_user.team_id FROM account
    JOIN app_user ON app_user.id = account.owner_id
    WHERE account.client_id = client.id
    ORDER BY account.id LIMIT 1
) WHERE team_id IS NULL
"""


def _masked(url):
    """The URL with its user info, query and fragment replaced by ***."""
    if not isinstance(url, str):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "***" if parts.query else ""
    fragment = "***" if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


async def mask_webhook_urls(apps, schema_editor):
    """Audit entries about webhook endpoints keep URLs with their credentials masked."""
    client = schema_editor.client
    marks = ("$1", "$2") if client.capabilities.dialect == "postgres" else ("?", "?")
    rows = await client.execute_query_dict(
        "SELECT id, changes FROM audit_log_entry WHERE record_type = 'WebhookEndpoint'"
    )
    for row in rows:
        changes = row["changes"]
        if isinstance(changes, str):
            changes = json.loads(changes)
        url = changes.get("url") if isinstance(changes, dict) else None
        if not isinstance(url, dict):
            continue
        masked = {**changes, "url": {side: _masked(value) for side, value in url.items()}}
        if masked == changes:
            continue
        await client.execute_query(
            f"UPDATE audit_log_entry SET changes = {marks[0]} WHERE id = {marks[1]}",
            [json.dumps(masked), row["id"]],
        )


async def keep_urls_masked(apps, schema_editor):
    """Masked URLs stay masked when the migration is undone: what was hidden is gone."""


class Migration(migrations.Migration):
    dependencies = [('models', '0008_api_key_expiry')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Client',
            name='team',
            field=fields.ForeignKeyField('models.Team', source_field='team_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.RunSQL([CREATORS_TEAM, FIRST_ACCOUNT_OWNERS_TEAM], reverse_sql=[]),
        ops.RunPython(mask_webhook_urls, reverse_code=keep_urls_masked),
    ]
