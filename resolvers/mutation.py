"""The steps every mutation shares, written once: the input's ids turned into keys of records
the caller may see, the service call, and the payload, or its ``errors`` when the service
refuses.

A mutation is a named function in ``resolvers/<domain>.py`` that calls ``mutate`` (any
payload), ``mutate_record`` (a payload carrying one record) or ``mutate_as_viewer`` (rules
that depend on who the caller is); its permission is declared on its root field
(``may_write`` below), and a refusal of the caller is its payload's ``errors`` too.
"""

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any, TypeVar, cast

from strawberry import UNSET
from strawberry.relay import GlobalID
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.types.field import StrawberryField
from tortoise.models import Model

import models
from db import is_database_busy
from resolvers.core.listing import pk
from resolvers.core.permissions import MayWrite
from schema.base import Info, RecordNode, UserError
from services import records
from services.errors import DomainError, ErrorCode, Problem
from services.records import RecordKind, describe

log = logging.getLogger("accountgraph.graphql")

P = TypeVar("P")

# The record type each id input names, by input field.
REFERENCES = {
    "owner_id": "User",
    "team_id": "Team",
    "manager_id": "User",
    "client_id": "Client",
    "contact_id": "Contact",
    "account_id": "Account",
    "opportunity_id": "Opportunity",
    "lead_id": "Lead",
    "pipeline_id": "Pipeline",
    "stage_id": "Stage",
    "activity_id": "Activity",
    "product_id": "Product",
    "competitor_id": "Competitor",
    "plan_id": "AccountPlan",
    "objective_id": "PlanObjective",
    "request_id": "CoordinationRequest",
    "assignee_id": "User",
    "user_id": "User",
}

DATABASE_BUSY = Problem(
    "the database is busy with other changes; nothing was changed, send the request again",
    ErrorCode.DATABASE_BUSY,
)


async def input_values(
    info: Info, data: Any, id_type: str | None = None, path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The fields a client set on an input object, with ids turned into primary keys.

    An omitted field is left out; an explicit null is kept (it clears the value). An id of
    the wrong type, or of a record the caller may not see, is refused like an unknown one,
    on the field's whole path (``path``: where a nested input sits in the mutation's).
    ``id_type`` names the record type of the input's own ``id`` field.
    """
    result: dict[str, Any] = {}
    for field in dataclasses.fields(data):
        value = getattr(data, field.name)
        if value is UNSET:
            continue
        if isinstance(value, GlobalID):
            expected = id_type if field.name == "id" and id_type else REFERENCES[field.name]
            value = await visible_pk(info, value, expected, (*path, field.name))
        elif dataclasses.is_dataclass(value):
            value = await input_values(info, value, path=(*path, field.name))
        result[field.name] = value
    return result


async def visible_pk(info: Info, gid: GlobalID, type_name: str, path: tuple[str, ...]) -> int:
    """The primary key of a record the caller may see, or a NOT_FOUND problem on the input
    field at ``path``."""
    key = pk(gid, type_name)
    model = getattr(models, type_name)
    if key is None or await info.context.loaders.record(model).load(key) is None:
        field = path[-1]
        what = type_name if field == "id" else describe(field).capitalize()
        raise DomainError([Problem(f"{what} not found", ErrorCode.NOT_FOUND, path)])
    return key


async def respond(payload: type[P], call: Callable[[], Awaitable[dict[str, Any]]]) -> P:
    """Run a mutation's work; a domain refusal becomes the payload's ``errors``, and so does
    a database too busy to take the change (``DATABASE_BUSY``: retry it)."""
    build: Callable[..., P] = payload
    try:
        return build(**await call(), errors=[])
    except DomainError as exc:
        return build(errors=[UserError.from_problem(p) for p in exc.problems])
    except Exception as exc:
        if not is_database_busy(exc):
            raise
        log.warning("a mutation found the database busy: %s", exc)
        return build(errors=[UserError.from_problem(DATABASE_BUSY)])


async def mutate(
    info: Info,
    payload: type[P],
    input: Any,
    work: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
    *,
    id_type: str | None = None,
) -> P:
    """``work`` gets the input's values (see ``input_values``) and returns the payload's
    fields; a refusal on the way fills the payload's ``errors`` instead."""

    async def call() -> dict[str, Any]:
        return await work(await input_values(info, input, id_type))

    return await respond(payload, call)


async def mutate_record(
    info: Info,
    payload: type[P],
    input: Any,
    work: Callable[[dict[str, Any], int | None], Awaitable[Any]],
    *,
    id_type: str | None = None,
) -> P:
    """A mutation whose payload carries one record: ``work`` gets the input's values and the
    caller's id and returns the changed row, which fills the payload's record field."""
    field, node = record_field(cast(type, payload))

    async def call(values: dict[str, Any]) -> dict[str, Any]:
        return {field: node.from_row(await work(values, info.context.actor_id))}

    return await mutate(info, payload, input, call, id_type=id_type)


async def mutate_as_viewer(
    info: Info,
    payload: type[P],
    input: Any,
    work: Callable[[dict[str, Any], models.User], Awaitable[dict[str, Any]]],
    *,
    id_type: str | None = None,
) -> P:
    """A mutation whose rules depend on who the caller is, not only on their role: ``work``
    gets the input's values and the signed-in user and returns the payload's fields. The
    service's refusal of the caller (``Forbidden``) is answered by the field's ``may_write``,
    as for a refused role; a refusal of the input fills the payload's ``errors``."""
    viewer = info.context.viewer
    assert viewer is not None

    async def call(values: dict[str, Any]) -> dict[str, Any]:
        return await work(values, viewer)

    return await mutate(info, payload, input, call, id_type=id_type)


class MayWriteInPayload(MayWrite):
    """``MayWrite`` for a mutation: a refused caller gets the mutation's payload with one
    error, ``UserError { code: FORBIDDEN, field: null }`` and the refusal's message, and
    nothing changed; no top-level error, so the rest of the response stands."""

    payload: type

    def apply(self, field: StrawberryField) -> None:
        payload = field.type
        if isinstance(payload, StrawberryOptional):
            payload = payload.of_type
        assert isinstance(payload, type), f"{field.name} returns no payload type"
        self.payload = payload

    def refuse(self, info: Any, message: str) -> Any:
        problem = Problem(message, ErrorCode.FORBIDDEN)
        return self.payload(errors=[UserError.from_problem(problem)])


def may_write(model: type[Model], message: str | None = None) -> MayWriteInPayload:
    """Declared on a mutation: only for a caller whose role and credential may change
    ``model`` records; anyone else is refused in the payload (``MayWriteInPayload``)."""
    return MayWriteInPayload(model, message)


@cache
def record_field(payload: type) -> tuple[str, type[RecordNode]]:
    """The name and node type of the one record field of a payload (``errors`` aside)."""
    definition = get_object_definition(payload, strict=True)
    (field,) = (f for f in definition.fields if f.python_name != "errors")
    node = field.type.of_type if isinstance(field.type, StrawberryOptional) else field.type
    # A payload's record field is declared with a node type (see schema/payloads.py).
    return field.python_name, cast(type[RecordNode], node)


Work = Callable[[dict[str, Any], int | None], Awaitable[Any]]


def create_record(kind: RecordKind[Any]) -> Work:
    """The work of a plain create: a record of ``kind`` from the input's values."""

    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await records.create_record(kind, actor_id=actor_id, values=values)

    return work


def update_record(kind: RecordKind[Any]) -> Work:
    """The work of an update: the input's ``id``, ``expectedVersion`` and the fields given."""

    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        record_id = values.pop("id")
        return await records.update_record(
            kind,
            record_id=record_id,
            actor_id=actor_id,
            expected_version=values.pop("expected_version", None),
            changes=values,
        )

    return work


def archive_record(kind: RecordKind[Any]) -> Work:
    """The work of an archive: the record the input's ``id`` names."""

    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await records.archive_record(kind, record_id=values["id"], actor_id=actor_id)

    return work


def restore_record(kind: RecordKind[Any]) -> Work:
    """The work of a restore: the archived record the input's ``id`` names."""

    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await records.restore_record(kind, record_id=values["id"], actor_id=actor_id)

    return work


def delete_record(kind: RecordKind[Any]) -> Work:
    """The work of a delete (the parts of a deal): the record the input's ``id`` names."""

    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await records.delete_record(kind, record_id=values["id"], actor_id=actor_id)

    return work
