"""Endpoint secrets at rest.

An endpoint secret must be readable to sign messages, so unlike passwords and API keys it
cannot be stored as a hash. It is encrypted with Fernet (AES-128-CBC with an HMAC-SHA256
tag, from the ``cryptography`` package) under ``ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY``: a key of
its own, never stored in the database and apart from the token-signing key, so a database
dump alone reveals no secret, a leaked signing key reveals none either, and a tampered value
is refused rather than used.

The setting is a list: the first key encrypts, every key decrypts. To rotate, put a new key
first, keep the old ones after it, run ``accountgraph rotate-webhook-secrets-key`` (which
re-encrypts every stored secret with the first key), then drop the old keys.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from settings import DEVELOPMENT_WEBHOOK_SECRETS_KEY, MissingDeploymentKeys, get_settings


class SecretUnreadable(Exception):
    """A stored secret failed its integrity check (no key of the setting, or altered value)."""


def _keys() -> tuple[str, ...]:
    settings = get_settings()
    if settings.webhook_secrets_key:
        return tuple(settings.webhook_secrets_key)
    if settings.development:
        return (DEVELOPMENT_WEBHOOK_SECRETS_KEY,)
    raise MissingDeploymentKeys(
        "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY is not set: webhook secrets cannot be encrypted or read"
    )


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise MissingDeploymentKeys(
            "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY holds a key that is not 32 bytes in URL-safe base64"
        ) from None


def encrypt(plaintext: str) -> str:
    """A Fernet token of ``plaintext`` under the first key."""
    return _cipher(_keys()).encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return _cipher(_keys()).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "the stored secret does not match ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY"
        ) from None


def reencrypt(stored: str) -> str:
    """``stored`` encrypted again under the first key, whichever key of the list it was under."""
    try:
        return _cipher(_keys()).rotate(stored.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "the stored secret does not match ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY"
        ) from None
