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
    await ApiKey.filter(expires_at=None).update(expires_at=datetime.now(UTC) + KEY_LIFETIME)
    admins = set(await User.filter(role="ADMIN").values_list("id", flat=True))
    for key in await ApiKey.all():
        if "admin" in key.scopes and key.user_id not in admins:
            scopes = sorted((set(key.scopes) - {"admin"}) | {"read", "write"})
            await ApiKey.filter(pk=key.pk).update(scopes=scopes)


class Migration(migrations.Migration):
    dependencies = [("models", "0005_live_event_publication")]

    initial = False

    operations = [
        ops.AddField(
            model_name="ApiKey",
            name="expires_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(expire_existing_keys, reverse_code=lambda apps, schema_editor: None),
    ]
