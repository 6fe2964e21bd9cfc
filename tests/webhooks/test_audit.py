"""What the audit log keeps of webhook endpoints: masked URLs, and every secret rotation."""

import importlib
import json

import pytest
from tortoise import connections

from models import AuditLogEntry
from models.enums import AuditAction, Role
from services.clock import now
from tests.factories import make_user
from webhooks import endpoints
from webhooks.urls import masked_url

MIGRATION = importlib.import_module("migrations.models.0009_prospect_teams_and_masked_audit_urls")


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("https://hooks.example/x?token=abc", "https://hooks.example/x?***"),
        ("https://user:pw@hooks.example:8443/x", "https://***@hooks.example:8443/x"),
        ("https://hooks.example/x?a=1#sig", "https://hooks.example/x?***#***"),
        ("https://hooks.example/plain", "https://hooks.example/plain"),
        ("http://[::1", "***"),
    ],
)
def test_urls_are_masked_for_the_audit_log(url, masked):
    assert masked_url(url) == masked


async def test_an_endpoints_url_reaches_the_audit_log_masked():
    sam = await make_user(role=Role.SALES_MANAGER)
    made = await endpoints.create_endpoint(
        owner=sam,
        url="https://hooks.example/in?token=s3cret",
        event_types=["opportunity.won"],
    )
    await endpoints.update_endpoint(
        endpoint_id=made.endpoint.pk,
        viewer=sam,
        changes={"url": "https://hooks.example/other?token=n3w"},
    )
    entries = await AuditLogEntry.filter(record_type="WebhookEndpoint").order_by("id")
    assert [entry.changes["url"] for entry in entries] == [
        {"before": None, "after": "https://hooks.example/in?***"},
        {"before": "https://hooks.example/in?***", "after": "https://hooks.example/other?***"},
    ]
    assert "s3cret" not in json.dumps([entry.changes for entry in entries])
    assert "n3w" not in json.dumps([entry.changes for entry in entries])


async def test_rotating_a_secret_is_audited_without_the_secret():
    sam = await make_user(role=Role.SALES_MANAGER)
    made = await endpoints.create_endpoint(
        owner=sam, url="https://hooks.example/in", event_types=["opportunity.won"]
    )
    rotated = await endpoints.rotate_secret(endpoint_id=made.endpoint.pk, viewer=sam)
    entry = await AuditLogEntry.filter(record_type="WebhookEndpoint").order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.actor_id, entry.record_id) == (
        AuditAction.UPDATE,
        sam.pk,
        made.endpoint.pk,
    )
    assert sorted(entry.changes) == ["previousSecretExpiresAt", "secret"]
    assert entry.changes["secret"] == {"before": "***", "after": "***"}
    assert entry.changes["previousSecretExpiresAt"]["before"] is None
    assert rotated.secret not in json.dumps(entry.changes)
    assert made.secret not in json.dumps(entry.changes)


class _Editor:
    """What the migration's data step reads of a schema editor: its connection."""

    def __init__(self) -> None:
        self.client = connections.get("default")


async def test_the_migration_masks_urls_already_in_the_audit_log():
    kept = {"url": {"before": None, "after": "https://u:p@hooks.example/a?token=old"}, "x": 1}
    leaky = await AuditLogEntry.create(
        occurred_at=now(),
        action=AuditAction.CREATE,
        record_type="WebhookEndpoint",
        record_id=1,
        changes=kept,
    )
    other = await AuditLogEntry.create(
        occurred_at=now(),
        action=AuditAction.UPDATE,
        record_type="Client",
        record_id=1,
        changes={"url": {"before": None, "after": "https://acme.example/?q=1"}},
    )
    await MIGRATION.mask_webhook_urls(None, _Editor())
    await leaky.refresh_from_db()
    await other.refresh_from_db()
    assert leaky.changes == {
        "url": {"before": None, "after": "https://***@hooks.example/a?***"},
        "x": 1,
    }
    assert other.changes == {"url": {"before": None, "after": "https://acme.example/?q=1"}}
