"""Reading records by global id: ``node``, ``nodes``, ``viewer`` and one lookup per entity."""

import asyncio
import re
from typing import Any, TypeVar

from strawberry import relay
from strawberry.relay import GlobalID

from resolvers.core.errors import bad_input, not_found
from schema.accounts import Account, AccountTeamMember
from schema.activities import Activity
from schema.base import Info, RecordNode
from schema.catalog import Competitor, Product
from schema.clients import Client, Contact
from schema.coordination import CoordinationComment, CoordinationRequest
from schema.leads import Lead
from schema.opportunities import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
    Pipeline,
    Stage,
)
from schema.people import Team, User
from schema.planning import AccountPlan, PlanAction, PlanObjective
from schema.satisfaction import SatisfactionResponse
from schema.targets import Target
from schema.webhooks import WebhookDelivery, WebhookEndpoint

N = TypeVar("N", bound=RecordNode)

NODE_TYPES: dict[str, type[RecordNode]] = {
    node.__name__: node
    for node in (
        User,
        Team,
        Client,
        Contact,
        Account,
        AccountTeamMember,
        Lead,
        Pipeline,
        Stage,
        Product,
        Competitor,
        Opportunity,
        OpportunityLineItem,
        OpportunityCompetitor,
        OpportunityStageChange,
        Activity,
        AccountPlan,
        PlanObjective,
        PlanAction,
        SatisfactionResponse,
        CoordinationRequest,
        CoordinationComment,
        Target,
        WebhookEndpoint,
        WebhookDelivery,
    )
}


async def resolve_node(info: Info, gid: GlobalID, expected: type[RecordNode] | None = None) -> Any:
    """The record behind ``gid`` if the caller may see it (and it is an ``expected``)."""
    node = NODE_TYPES.get(gid.type_name)
    if node is None or (expected is not None and node is not expected):
        return None
    [found] = await node.resolve_nodes(info=info, node_ids=[gid.node_id])
    return found


async def node(info: Info, id: GlobalID) -> relay.Node | None:
    """Null with a NOT_FOUND error at its path when the caller sees no record with ``id``:
    the rest of the response is answered as usual."""
    found: relay.Node | None = await resolve_node(info, id)
    if found is None:
        raise not_found()
    return found


async def nodes(info: Info, ids: list[GlobalID]) -> list[relay.Node | None]:
    if len(ids) > 100:
        raise bad_input("at most 100 ids at once")
    return list(await asyncio.gather(*(resolve_node(info, gid) for gid in ids)))


def viewer(info: Info) -> User | None:
    viewer = info.context.viewer
    return User.from_row(viewer) if viewer is not None else None


async def lookup(info: Info, id: GlobalID, node: type[N]) -> N | None:
    """``<entity>(id:)``: the ``node`` with that id; null with a NOT_FOUND error at its path
    when the caller sees none (unknown, deleted, or not theirs to see: the answer is the same).

    An archived record is found like any other, with its ``archivedAt`` set: a client that
    refetches a record it has just archived gets it back rather than an error.
    """
    found: N | None = await resolve_node(info, id, node)
    if found is None:
        raise not_found(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", node.__name__).lower())
    return found


async def client(info: Info, id: GlobalID) -> Client | None:
    return await lookup(info, id, Client)


async def account(info: Info, id: GlobalID) -> Account | None:
    return await lookup(info, id, Account)


async def lead(info: Info, id: GlobalID) -> Lead | None:
    return await lookup(info, id, Lead)


async def opportunity(info: Info, id: GlobalID) -> Opportunity | None:
    return await lookup(info, id, Opportunity)


async def account_plan(info: Info, id: GlobalID) -> AccountPlan | None:
    return await lookup(info, id, AccountPlan)


async def pipelines(info: Info) -> list[Pipeline]:
    return Pipeline.from_rows(await Pipeline.model.all().order_by("position", "id"))
