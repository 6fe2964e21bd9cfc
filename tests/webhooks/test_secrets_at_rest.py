"""Endpoint secrets at rest: Fernet under a key of their own, rotated by a command, and rows
of the former hand-made cipher moved over by migration 0007."""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from models import WebhookEndpoint
from settings import get_settings
from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.live_server import ACCOUNTGRAPH
from tests.state import database_state
from tests.webhooks.conftest import make_endpoint
from webhooks import secrets, signing
from webhooks.endpoints import reencrypt_secrets

ROOT = Path(__file__).resolve().parents[2]
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def webhook_keys(monkeypatch):
    """Set ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY (as a list) for the test."""

    def use(*keys: str) -> None:
        monkeypatch.setattr(get_settings(), "webhook_secrets_key", list(keys))

    return use


def test_secrets_are_encrypted_with_their_own_key_not_the_token_signing_key(
    webhook_keys, monkeypatch
):
    webhook_keys(OLD_KEY)
    secret = signing.new_secret()
    stored = secrets.encrypt(secret)
    assert Fernet(OLD_KEY.encode()).decrypt(stored.encode()).decode() == secret
    monkeypatch.setattr(get_settings(), "secret_key", "another-token-signing-key-" + "x" * 32)
    assert secrets.decrypt(stored) == secret
    webhook_keys(NEW_KEY)
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(stored)


def test_an_altered_stored_secret_is_refused(webhook_keys):
    webhook_keys(OLD_KEY)
    stored = secrets.encrypt(signing.new_secret())
    raw = bytearray(base64.urlsafe_b64decode(stored))
    raw[40] ^= 1
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt("not a token!")


def test_the_first_key_encrypts_and_every_key_decrypts(webhook_keys):
    webhook_keys(OLD_KEY)
    old = secrets.encrypt("whsec_old")
    webhook_keys(NEW_KEY, OLD_KEY)
    new = secrets.encrypt("whsec_new")
    assert secrets.decrypt(old) == "whsec_old"
    assert secrets.decrypt(new) == "whsec_new"
    assert Fernet(NEW_KEY.encode()).decrypt(new.encode()) == b"whsec_new"


async def test_rotating_the_key_reencrypts_every_stored_secret(webhook_keys):
    webhook_keys(OLD_KEY)
    first, first_secret = await make_endpoint("https://hooks.example.com/1")
    second, second_secret = await make_endpoint(
        "https://hooks.example.com/2", previous_secret_encrypted=secrets.encrypt("whsec_prev")
    )
    webhook_keys(NEW_KEY, OLD_KEY)

    assert await reencrypt_secrets() == 2

    webhook_keys(NEW_KEY)  # the old key dropped: everything still reads
    first, second = await WebhookEndpoint.filter(pk__in=[first.pk, second.pk]).order_by("id")
    assert secrets.decrypt(first.secret_encrypted) == first_secret
    assert first.previous_secret_encrypted is None
    assert secrets.decrypt(second.secret_encrypted) == second_secret
    assert secrets.decrypt(second.previous_secret_encrypted) == "whsec_prev"


async def test_rotation_is_refused_whole_when_a_secret_is_under_no_key_of_the_list(
    webhook_keys,
):
    webhook_keys(OLD_KEY)
    await make_endpoint("https://hooks.example.com/1")
    webhook_keys(NEW_KEY)
    lost, _ = await make_endpoint("https://hooks.example.com/2")
    webhook_keys(OLD_KEY)
    before = await database_state()

    with pytest.raises(secrets.SecretUnreadable) as refused:
        await reencrypt_secrets()

    assert str(refused.value) == (
        f"webhook endpoint {lost.pk}: the stored secret does not match "
        "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY"
    )
    assert await database_state() == before


def legacy_encrypt(plaintext: str, secret_key: str) -> str:
    """How secrets were stored before 0007 (the former webhooks/secrets.py)."""
    master = secret_key.encode()
    encryption = hmac.new(master, b"accountgraph webhook secret encryption", hashlib.sha256)
    authentication = hmac.new(master, b"accountgraph webhook secret authentication", "sha256")
    nonce = os.urandom(16)
    data = plaintext.encode()
    stream = b"".join(
        hmac.new(encryption.digest(), nonce + i.to_bytes(8, "big"), hashlib.sha256).digest()
        for i in range((len(data) + 31) // 32)
    )
    cipher = bytes(a ^ b for a, b in zip(data, stream, strict=False))
    tag = hmac.new(authentication.digest(), nonce + cipher, hashlib.sha256).digest()
    return f"v1.{base64.b64encode(nonce + cipher + tag).decode()}"


# Run in a process of its own: it migrates a database of its own, step by step.
MIGRATE_LEGACY_ROWS = """
import asyncio, json, sys
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate
from db import close_db, init_db, tortoise_config
from models import WebhookEndpoint
from webhooks import secrets

url, current, previous = sys.argv[1], sys.argv[2], sys.argv[3]

# Rows as they were at 0005, written in SQL: today's models have columns 0005 lacks.
USER = (
    'INSERT INTO "app_user" (created_at, updated_at, email, name, role, is_active) '
    "VALUES ({0}, {0}, 'owner@example.com', 'Owner', 'ADMIN', {1})"
)
ENDPOINT = (
    'INSERT INTO "webhook_endpoint" (created_at, updated_at, url, description, event_types, '
    "secret_encrypted, previous_secret_encrypted, enabled, owner_id) "
    "VALUES ({0}, {0}, 'https://hooks.example.com/1', '', '[]', {2}, {3}, {1}, "
    "(SELECT id FROM app_user))"
)

async def main():
    try:
        await steps()
    finally:
        await close_db()

async def steps():
    await migrate(config=tortoise_config(url), target="models.0005_live_event_publication")
    await close_db()
    await init_db(url)
    connection = Tortoise.get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    values = ("now()", "true", "$1", "$2") if postgres else ("'2026-01-01'", "1", "?", "?")
    await connection.execute_query(USER.format(*values))
    await connection.execute_query(ENDPOINT.format(*values), [current, previous])
    await close_db()
    await migrate(config=tortoise_config(url))
    await close_db()
    await init_db(url)
    endpoint = await WebhookEndpoint.get()
    print(json.dumps([
        endpoint.secret_encrypted, endpoint.previous_secret_encrypted,
        secrets.decrypt(endpoint.secret_encrypted),
        secrets.decrypt(endpoint.previous_secret_encrypted),
    ]))

asyncio.run(main())
"""


@pytest.fixture
async def scratch_database_url(tmp_path):
    if BACKEND == "postgres":
        url = await create_postgres_database()
        yield url
        await drop_postgres_database(url)
    else:
        yield f"sqlite://{tmp_path / 'legacy.db'}"


async def test_migration_0007_moves_secrets_of_the_former_cipher_to_fernet(
    scratch_database_url,
):
    signing_key = "a-deployment-secret-key-" + "s" * 32
    former_signing_key = "the-former-secret-key-" + "f" * 32
    env = {
        **os.environ,
        "ACCOUNTGRAPH_DEVELOPMENT": "false",
        "ACCOUNTGRAPH_SECRET_KEY": signing_key,
        "ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS": former_signing_key,
        "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY": NEW_KEY,
    }
    finished = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-c",
            MIGRATE_LEGACY_ROWS,
            scratch_database_url,
            legacy_encrypt("whsec_current", signing_key),
            legacy_encrypt("whsec_previous", former_signing_key),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    current, previous, current_plain, previous_plain = json.loads(finished.stdout)
    assert (current_plain, previous_plain) == ("whsec_current", "whsec_previous")
    fernet = Fernet(NEW_KEY.encode())
    assert fernet.decrypt(current.encode()) == b"whsec_current"
    assert fernet.decrypt(previous.encode()) == b"whsec_previous"


async def test_migration_0007_refuses_secrets_under_an_unknown_key_naming_the_setting(
    scratch_database_url,
):
    env = {
        **os.environ,
        "ACCOUNTGRAPH_SECRET_KEY": "a-deployment-secret-key-" + "s" * 32,
        "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY": NEW_KEY,
    }
    unknown = legacy_encrypt("whsec_current", "a-key-nobody-configured-" + "u" * 32)
    finished = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", MIGRATE_LEGACY_ROWS, scratch_database_url, unknown, unknown],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode != 0
    assert (
        "webhook endpoint 1: its secret was stored under a secret key that is neither "
        "ACCOUNTGRAPH_SECRET_KEY nor one of ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS; add the key it "
        "was stored under to ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS and migrate again"
    ) in finished.stderr


def test_the_rotate_command_reencrypts_with_the_first_key(tmp_path):
    env = {
        **os.environ,
        "ACCOUNTGRAPH_DATABASE_URL": f"sqlite://{tmp_path / 'rotate.db'}",
        "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY": OLD_KEY,
    }
    subprocess.run([ACCOUNTGRAPH, "migrate"], cwd=tmp_path, env=env, check=True, timeout=120)
    store = (
        "import asyncio\n"
        "from cli.main import run_with_database\n"
        "from models import User, WebhookEndpoint\n"
        "from webhooks import secrets\n"
        "async def work():\n"
        "    owner = await User.create(email='o@example.com', name='O', role='ADMIN')\n"
        "    await WebhookEndpoint.create(owner_id=owner.pk, url='https://h.example.com',\n"
        "        event_types=[], secret_encrypted=secrets.encrypt('whsec_kept'))\n"
        "run_with_database(work)\n"
    )
    subprocess.run([sys.executable, "-c", store], cwd=ROOT, env=env, check=True, timeout=120)
    env["ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY"] = f"{NEW_KEY},{OLD_KEY}"

    rotated = subprocess.run(
        [ACCOUNTGRAPH, "rotate-webhook-secrets-key"],
        cwd=tmp_path,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout == (
        "Re-encrypted the secrets of 1 webhook endpoint(s) with the first key\n"
    )
    read = (
        "from cli.main import run_with_database\n"
        "from models import WebhookEndpoint\n"
        "from webhooks import secrets\n"
        "async def work():\n"
        "    print(secrets.decrypt((await WebhookEndpoint.first()).secret_encrypted))\n"
        "run_with_database(work)\n"
    )
    env["ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY"] = NEW_KEY
    found = subprocess.run(
        [sys.executable, "-c", read], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert found.stdout == "whsec_kept\n", found.stderr
