"""Endpoint secrets at rest.

An endpoint secret must be readable to sign messages, so unlike passwords and API keys it
cannot be stored as a hash. It is encrypted with a key derived from ``ACCOUNTGRAPH_SECRET_KEY``
(never stored in the database): a keystream of HMAC-SHA256 in counter mode over a random
16-byte nonce, then an HMAC-SHA256 tag over nonce and ciphertext (encrypt-then-MAC, with
separate derived keys for the two). A database dump alone reveals no secret, and a tampered
value is refused rather than used. Changing the secret key makes stored secrets unreadable:
rotate every endpoint's secret after changing it.
"""

import base64
import hashlib
import hmac
import secrets

from settings import get_settings

_VERSION = "v1"


class SecretUnreadable(Exception):
    """A stored secret failed its integrity check (wrong key or altered value)."""


def _keys() -> tuple[bytes, bytes]:
    master = get_settings().secret_key.encode()
    encryption = hmac.new(master, b"accountgraph webhook secret encryption", hashlib.sha256)
    authentication = hmac.new(master, b"accountgraph webhook secret authentication", "sha256")
    return encryption.digest(), authentication.digest()


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(
        hmac.new(key, nonce + i.to_bytes(8, "big"), hashlib.sha256).digest() for i in range(blocks)
    )[:length]


def encrypt(plaintext: str) -> str:
    """``v1.<base64 of nonce + ciphertext + tag>``."""
    encryption, authentication = _keys()
    nonce = secrets.token_bytes(16)
    data = plaintext.encode()
    cipher = bytes(
        a ^ b for a, b in zip(data, _keystream(encryption, nonce, len(data)), strict=True)
    )
    tag = hmac.new(authentication, nonce + cipher, hashlib.sha256).digest()
    return f"{_VERSION}.{base64.b64encode(nonce + cipher + tag).decode()}"


def decrypt(stored: str) -> str:
    encryption, authentication = _keys()
    version, _, encoded = stored.partition(".")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise SecretUnreadable("the stored secret is not well formed") from None
    if version != _VERSION or len(raw) < 48:
        raise SecretUnreadable("the stored secret is not well formed")
    nonce, cipher, tag = raw[:16], raw[16:-32], raw[-32:]
    expected = hmac.new(authentication, nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise SecretUnreadable("the stored secret does not match the secret key")
    data = bytes(
        a ^ b for a, b in zip(cipher, _keystream(encryption, nonce, len(cipher)), strict=True)
    )
    return data.decode()
