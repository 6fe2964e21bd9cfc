from datetime import UTC, datetime, timedelta

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Keys made before keys expired get the longest lifetime from now (the setting's default).
KEY_LIFETIME = timedelta(days=365)


async def expire_existing_keys(apps, schema_editor) -> None:
    """Give every key an expiry, and narrow the admin scope of keys whose owner is not an
    administrator to read and write (what it allowed them)."""
    ApiKey = apps.get_model("models", "ApiKey")
    User = apps.get_model("models", "User")
    db = schema_editor.client  # the migration's transaction
    expiry = datetime.now(UTC) + KEY_LIFETIME
    await ApiKey.filter(expires_at=None).using_db(db).update(expires_at=expiry)
    admins = set(await User.filter(role="ADMIN").using_db(db).values_list("id", flat=True))
    for key in await ApiKey.all().using_db(db):
        if "admin" in key.scopes and key.user_id not in admins:
            scopes = sorted((set(key.scopes) - {"admin"}) | {"read", "write"})
            await ApiKey.filter(pk=key.pk).using_db(db).update(scopes=scopes)


class Migration(migrations.Migration):
    dependencies = [("models", "0007_credentials_at_rest_and_sign_in_limits")]

    initial = False

    operations = [
        ops.AddField(
            model_name="ApiKey",
            name="expires_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(expire_existing_keys, reverse_code=lambda apps, schema_editor: None),
    ]
