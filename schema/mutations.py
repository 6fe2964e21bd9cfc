"""The remaining generator of mutations, for plans, coordination requests, satisfaction and
targets (``schema.account_work_mutations``), until those are declared by name as every other
mutation is (``resolvers/<domain>.py``, ``schema/payloads.py``, ``schema/root.py``).

It builds on the shared steps of ``resolvers.mutation``; this module holds only what
``schema.account_work_mutations`` still imports.
"""

from typing import Any

import strawberry

from resolvers.core.errors import forbidden
from resolvers.mutation import (
    Work,
    archive_record,
    input_values,
    mutate_record,
    restore_record,
)
from resolvers.mutation import create_record as create_work
from resolvers.mutation import update_record as update_work
from schema.base import Info, UserError
from schema.inputs import id_input
from services.records import RecordKind

__all__ = [
    "create_work",
    "ensure_may_write",
    "entity_mutations",
    "input_values",
    "payload_type",
    "record_mutation",
    "update_work",
]


def ensure_may_write(info: Info, model: type) -> None:
    """Refuse, as a top-level FORBIDDEN error, a change the caller's role or key may not make."""
    if not info.context.may_write(model):
        raise forbidden(f"you may not change {model.__name__} records")


def payload_type(mutation: str, fields: dict[str, Any], description: str) -> type:
    annotations = {name: node | None for name, node in fields.items()}
    annotations["errors"] = list[UserError]
    namespace: dict[str, Any] = {"__annotations__": annotations}
    namespace.update({name: None for name in fields})
    namespace["errors"] = strawberry.field(description="Why nothing changed; empty on success.")
    return strawberry.type(type(f"{mutation}Payload", (), namespace), description=description)


def record_mutation(
    mutation: str,
    input_type: type,
    node: Any,
    work: Work,
    description: str,
    *,
    id_type: str | None = None,
) -> tuple[str, Any]:
    """``(fieldName, field)`` of a mutation whose payload carries one record.

    ``work`` gets the input's values and the caller's id and returns the changed row.
    """
    attribute = node.__name__[0].lower() + node.__name__[1:]
    name = mutation[0].lower() + mutation[1:]
    payload = payload_type(
        mutation,
        {attribute: node},
        f"The result of {name}: the {attribute}, or why nothing changed.",
    )

    async def resolve(info: Info, input: input_type) -> payload:  # type: ignore[valid-type]
        ensure_may_write(info, node.model)
        return await mutate_record(info, payload, input, work, id_type=id_type)

    return name, strawberry.mutation(resolver=resolve, description=description)


def entity_mutations(
    entity: str, node: Any, kind: RecordKind, create: type | None, update: type
) -> dict[str, Any]:
    """create (given its input), update, archive and restore for one entity, all with the
    same payload shape."""
    a = f"an {kind.label}" if kind.label[0] in "aeiou" else f"a {kind.label}"
    fields: dict[str, Any] = {}

    def field(mutation: str, input_type: type, work: Work, description: str) -> None:
        name, resolver = record_mutation(
            mutation, input_type, node, work, description, id_type=entity
        )
        fields[name] = resolver

    if create is not None:
        field(f"Create{entity}", create, create_work(kind), f"Create {a}.")
    field(f"Update{entity}", update, update_work(kind), f"Change {a}.")
    field(
        f"Archive{entity}",
        id_input(f"Archive{entity}", f"The {kind.label} to archive."),
        archive_record(kind),
        f"Archive {a}: hidden from lists by default, nothing is deleted.",
    )
    field(
        f"Restore{entity}",
        id_input(f"Restore{entity}", f"The {kind.label} to restore."),
        restore_record(kind),
        f"Bring back an archived {kind.label}.",
    )
    return fields
