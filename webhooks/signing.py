"""Standard Webhooks signatures (https://www.standardwebhooks.com), made by the reference
``standardwebhooks`` library so that consumers using any Standard Webhooks verifier agree."""

import base64
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(*, secrets: Sequence[str], webhook_id: str, timestamp: datetime, body: str) -> str:
    """The ``webhook-signature`` header: one ``v1,<base64>`` per secret, space-separated.

    During a rotation both the new and the previous secret sign, so that a consumer holding
    either one verifies the message.
    """
    at = timestamp.astimezone(UTC)
    return " ".join(Webhook(secret).sign(webhook_id, at, body) for secret in secrets)


def headers(
    *, secrets: Sequence[str], webhook_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": sign(
            secrets=secrets, webhook_id=webhook_id, timestamp=timestamp, body=body
        ),
    }
