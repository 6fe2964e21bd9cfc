"""Read access to the graph."""

import asyncio
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.relay import GlobalID

from schema import types as t
from schema.account_work_queries import ACCOUNT_WORK_NODES, AccountWorkQueries
from schema.analytics import AnalyticsQueries
from schema.base import Info, RecordNode
from schema.filters import (
    AuditLogFilter,
    ClientFilter,
    CompetitorFilter,
    LeadFilter,
    ProductFilter,
    TeamFilter,
    audit_condition,
    client_condition,
    competitor_condition,
    lead_condition,
    product_condition,
    team_condition,
)
from schema.listing import Listing, order_input
from schema.webhooks import WebhookDelivery, WebhookEndpoint

NODE_TYPES: dict[str, type[RecordNode]] = {
    node.__name__: node
    for node in (
        t.User,
        t.Team,
        t.Client,
        t.Contact,
        t.Account,
        t.AccountTeamMember,
        t.Lead,
        t.Pipeline,
        t.Stage,
        t.Product,
        t.Competitor,
        t.Opportunity,
        t.OpportunityLineItem,
        t.OpportunityCompetitor,
        t.OpportunityStageChange,
        t.Activity,
        *ACCOUNT_WORK_NODES,
        WebhookEndpoint,
        WebhookDelivery,
    )
}


def not_found(what: str = "record") -> GraphQLError:
    return GraphQLError(f"No {what} with that id", extensions={"code": "NOT_FOUND"})


async def resolve_node(info: Info, gid: GlobalID, expected: type[RecordNode] | None = None) -> Any:
    node = NODE_TYPES.get(gid.type_name)
    if node is None or (expected is not None and node is not expected):
        return None
    [found] = await node.resolve_nodes(info=info, node_ids=[gid.node_id])
    return found


def lookup(node: type[RecordNode]) -> Any:
    """``<entity>(id:)``: one record of a type, NOT_FOUND when there is none."""

    async def resolve(info: Info, id: GlobalID) -> node:  # type: ignore[valid-type]
        found = await resolve_node(info, id, node)
        if found is None:
            raise not_found(node.__name__.lower())
        return found

    return strawberry.field(resolver=resolve, description=f"One {node.__name__.lower()} by id.")


TEAM_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
TEAMS = Listing(t.Team, TeamFilter, team_condition, TEAM_COLUMNS, ("name",), archivable=False)
CLIENT_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
CLIENTS = Listing(t.Client, ClientFilter, client_condition, CLIENT_COLUMNS, ("name",))
LEAD_COLUMNS = {
    "CREATED_AT": "created_at",
    "SCORE": "score",
    "NEXT_FOLLOW_UP_AT": "next_follow_up_at",
    "PERSON_NAME": "person_name",
}
LEADS = Listing(t.Lead, LeadFilter, lead_condition, LEAD_COLUMNS, ("-created_at",))
PRODUCT_COLUMNS = {"NAME": "name", "LIST_PRICE": "list_price", "CREATED_AT": "created_at"}
PRODUCTS = Listing(t.Product, ProductFilter, product_condition, PRODUCT_COLUMNS, ("name",))
COMPETITOR_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
COMPETITORS = Listing(
    t.Competitor, CompetitorFilter, competitor_condition, COMPETITOR_COLUMNS, ("name",)
)
AUDIT_COLUMNS = {"OCCURRED_AT": "occurred_at"}
AUDIT_LOG = Listing(
    t.AuditLogEntry,
    AuditLogFilter,
    audit_condition,
    AUDIT_COLUMNS,
    ("-occurred_at", "-id"),
    archivable=False,
)


@strawberry.type(description="Everything that can be read.")
class Query(AccountWorkQueries, AnalyticsQueries):
    @strawberry.field(description="Any record by its global id.")
    async def node(self, info: Info, id: GlobalID) -> relay.Node:
        found = await resolve_node(info, id)
        if found is None:
            raise not_found()
        return found

    @strawberry.field(description="Records by global id, in order; null where there is none.")
    async def nodes(self, info: Info, ids: list[GlobalID]) -> list[relay.Node | None]:
        if len(ids) > 100:
            raise GraphQLError("at most 100 ids at once", extensions={"code": "BAD_USER_INPUT"})
        return list(await asyncio.gather(*(resolve_node(info, gid) for gid in ids)))

    @strawberry.field(description="The signed-in user; null for anonymous callers.")
    def viewer(self, info: Info) -> t.User | None:
        viewer = info.context.viewer
        return t.User.from_row(viewer) if viewer is not None else None

    users = t.USERS.root_field(t.UserOrder, "Users.")
    teams = TEAMS.root_field(order_input("Team", TEAM_COLUMNS), "Teams.")
    clients = CLIENTS.root_field(order_input("Client", CLIENT_COLUMNS), "Client organisations.")
    client = lookup(t.Client)
    contacts = t.CONTACTS.root_field(t.ContactOrder, "People at clients.")
    accounts = t.ACCOUNTS.root_field(t.AccountOrder, "Accounts, by name unless ordered otherwise.")
    account = lookup(t.Account)
    leads = LEADS.root_field(order_input("Lead", LEAD_COLUMNS), "Leads, newest first.")
    lead = lookup(t.Lead)
    opportunities = t.OPPORTUNITIES.root_field(t.OpportunityOrder, "Deals, newest first.")
    opportunity = lookup(t.Opportunity)
    activities = t.ACTIVITIES.root_field(t.ActivityOrder, "Activities, newest first.")
    products = PRODUCTS.root_field(order_input("Product", PRODUCT_COLUMNS), "Products.")
    competitors = COMPETITORS.root_field(
        order_input("Competitor", COMPETITOR_COLUMNS), "Competitors."
    )
    account_plan = lookup(ACCOUNT_WORK_NODES[0])
    audit_log = AUDIT_LOG.root_field(
        order_input("AuditLog", AUDIT_COLUMNS), "Recorded changes, newest first."
    )

    @strawberry.field(description="Every pipeline with its stages, in order.")
    async def pipelines(self, info: Info) -> list[t.Pipeline]:
        return t.Pipeline.from_rows(await t.Pipeline.model.all().order_by("position", "id"))
