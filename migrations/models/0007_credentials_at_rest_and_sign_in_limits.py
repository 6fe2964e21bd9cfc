import base64
import hashlib
import hmac
import logging

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from settings import DEVELOPMENT_SECRET_KEY, get_settings
from webhooks import secrets

log = logging.getLogger("accountgraph")


def legacy_decrypt(stored: str, secret_key: str) -> str | None:
    """The plaintext of a secret stored by the former hand-made cipher (``v1.``: an
    HMAC-SHA256 keystream and an HMAC-SHA256 tag under keys derived from the token-signing
    key), or None when ``secret_key`` is not the key it was stored under. Kept only to move
    those rows to Fernet."""
    version, _, encoded = stored.partition(".")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        return None
    if version != "v1" or len(raw) < 48:
        return None
    master = secret_key.encode()
    encryption = hmac.new(master, b"accountgraph webhook secret encryption", hashlib.sha256)
    authentication = hmac.new(master, b"accountgraph webhook secret authentication", "sha256")
    nonce, cipher, tag = raw[:16], raw[16:-32], raw[-32:]
    expected = hmac.new(authentication.digest(), nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        return None
    blocks = (len(cipher) + 31) // 32
    stream = b"".join(
        hmac.new(encryption.digest(), nonce + i.to_bytes(8, "big"), hashlib.sha256).digest()
        for i in range(blocks)
    )
    return bytes(a ^ b for a, b in zip(cipher, stream)).decode()


def legacy_candidate_keys() -> list[str]:
    settings = get_settings()
    return [settings.secret_key, *settings.previous_secret_keys, DEVELOPMENT_SECRET_KEY]


def reencrypt_legacy(stored: str | None, endpoint_id: int) -> str | None:
    if stored is None or not stored.startswith("v1."):
        return stored
    for key in legacy_candidate_keys():
        plaintext = legacy_decrypt(stored, key)
        if plaintext is None:
            continue
        if key == DEVELOPMENT_SECRET_KEY:
            log.warning(
                "webhook endpoint %s: its secret was stored under the published development "
                "key; rotate it (rotateWebhookSecret)",
                endpoint_id,
            )
        return secrets.encrypt(plaintext)
    raise RuntimeError(
        f"webhook endpoint {endpoint_id}: its secret was stored under a secret key that is "
        "neither ACCOUNTGRAPH_SECRET_KEY nor one of ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS; add "
        "the key it was stored under to ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS and migrate again"
    )


SQLITE_UPDATE = (
    "UPDATE webhook_endpoint SET secret_encrypted = ?, previous_secret_encrypted = ? WHERE id = ?"
)
POSTGRES_UPDATE = (
    "UPDATE webhook_endpoint SET secret_encrypted = $1, previous_secret_encrypted = $2 "
    "WHERE id = $3"
)


async def encrypt_webhook_secrets_with_fernet(apps, schema_editor) -> None:
    client = schema_editor.client
    _, rows = await client.execute_query(
        "SELECT id, secret_encrypted, previous_secret_encrypted FROM webhook_endpoint"
    )
    update = POSTGRES_UPDATE if client.capabilities.dialect == "postgres" else SQLITE_UPDATE
    for row in rows:
        endpoint_id = row["id"]
        current = reencrypt_legacy(row["secret_encrypted"], endpoint_id)
        previous = reencrypt_legacy(row["previous_secret_encrypted"], endpoint_id)
        await client.execute_query(update, [current, previous, endpoint_id])


class Migration(migrations.Migration):
    dependencies = [("models", "0006_record_versions")]

    initial = False

    operations = [
        ops.RunPython(encrypt_webhook_secrets_with_fernet),
        ops.CreateModel(
            name='LoginThrottle',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.CharField(max_length=254)),
                ('address', fields.CharField(max_length=64)),
                ('failures', fields.IntField(default=0)),
                ('last_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_throttle', 'app': 'models', 'unique_together': (('account', 'address'),), 'pk_attr': 'id', 'table_description': 'Failed sign-ins counted for one account from one address, or (``account`` empty) for'},
            bases=['Model'],
        ),
        ops.DeleteModel(name='LoginAttempt'),
    ]
