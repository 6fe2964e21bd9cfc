"""Standard Webhooks signatures and encrypted secrets."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from webhooks import secrets, signing

# The published test vector of the Standard Webhooks specification (spec/standard-webhooks.md
# and every reference library's tests).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = '{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_published_test_vector_is_reproduced():
    at = datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC)
    headers = signing.headers(
        secrets=[VECTOR_SECRET], webhook_id=VECTOR_ID, timestamp=at, body=VECTOR_BODY
    )
    assert headers == {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": "1614265330",
        "webhook-signature": VECTOR_SIGNATURE,
    }


def test_signature_is_base64_hmac_sha256_of_id_timestamp_and_body():
    key = base64.b64decode(VECTOR_SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{VECTOR_ID}.{VECTOR_TIMESTAMP}.{VECTOR_BODY}".encode(), hashlib.sha256)
    assert VECTOR_SIGNATURE == "v1," + base64.b64encode(mac.digest()).decode()


def test_during_rotation_both_secrets_sign_and_either_verifies():
    old, new = signing.new_secret(), signing.new_secret()
    at = datetime.now(UTC)
    headers = signing.headers(secrets=[new, old], webhook_id="evt_1", timestamp=at, body="{}")
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    assert Webhook(old).verify("{}", headers) == {}
    assert Webhook(new).verify("{}", headers) == {}
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify("{}", headers)


def test_new_secrets_are_whsec_with_32_random_bytes():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != signing.new_secret()


def test_secrets_are_stored_encrypted_and_read_back():
    secret = signing.new_secret()
    stored = secrets.encrypt(secret)
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    assert stored != secrets.encrypt(secret)  # a fresh nonce each time
    assert secrets.decrypt(stored) == secret
