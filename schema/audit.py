"""The audit log in the graph: who changed which record, when, and how."""

from datetime import datetime
from typing import Any, ClassVar, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

import models
from schema.base import Info, field, load
from schema.enums import AuditAction
from schema.filters import AuditLogFilter, audit_condition
from schema.listing import Listing, order_input
from schema.people import User


@strawberry.type(description="One recorded change: who changed which record, when, and how.")
class AuditLogEntry(relay.Node):
    model: ClassVar[type[models.AuditLogEntry]] = models.AuditLogEntry
    id: relay.NodeID[int]
    occurred_at: datetime
    action: AuditAction
    record_type: str = strawberry.field(description="The GraphQL type of the changed record.")
    changes: JSON = strawberry.field(description="{field: {before, after}} for each changed field.")
    actor_id: strawberry.Private[int | None]
    record_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.AuditLogEntry) -> "AuditLogEntry":
        return cls(
            id=row.pk,
            occurred_at=row.occurred_at,
            action=row.action,
            record_type=row.record_type,
            changes=cast(JSON, row.changes),
            actor_id=row.actor_id,
            record_pk=row.record_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Any, required: bool = False
    ) -> list["AuditLogEntry | None"]:
        return [None for _ in node_ids]  # audit entries are listed, not looked up one by one

    @field(description="The global id of the changed record.")
    def record_id(self) -> strawberry.ID:
        return strawberry.ID(relay.to_base64(self.record_type, self.record_pk))

    @field(description="Who made the change; null for the system.")
    async def actor(self, info: Info) -> User | None:
        return await load(info, User, self.actor_id)


AUDIT_COLUMNS = {"OCCURRED_AT": "occurred_at"}
AUDIT_LOG = Listing(
    AuditLogEntry,
    AuditLogFilter,
    audit_condition,
    AUDIT_COLUMNS,
    ("-occurred_at", "-id"),
    archivable=False,
)
AuditLogOrder = order_input("AuditLog", AUDIT_COLUMNS)
