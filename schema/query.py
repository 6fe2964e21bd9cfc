"""The lists of records read from the root: teams, clients, leads, products, competitors and
the audit log, each declared once as a ``Listing``."""

from schema.audit import AuditLogEntry
from schema.catalog import Competitor, Product
from schema.clients import Client
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
from schema.leads import Lead
from schema.listing import Listing, order_input
from schema.people import Team

TEAM_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
TEAMS = Listing(Team, TeamFilter, team_condition, TEAM_COLUMNS, ("name",), archivable=False)
TeamOrder = order_input("Team", TEAM_COLUMNS)
CLIENT_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
CLIENTS = Listing(Client, ClientFilter, client_condition, CLIENT_COLUMNS, ("name",))
ClientOrder = order_input("Client", CLIENT_COLUMNS)
LEAD_COLUMNS = {
    "CREATED_AT": "created_at",
    "SCORE": "score",
    "NEXT_FOLLOW_UP_AT": "next_follow_up_at",
    "PERSON_NAME": "person_name",
}
LEADS = Listing(Lead, LeadFilter, lead_condition, LEAD_COLUMNS, ("-created_at",))
LeadOrder = order_input("Lead", LEAD_COLUMNS)
PRODUCT_COLUMNS = {"NAME": "name", "LIST_PRICE": "list_price", "CREATED_AT": "created_at"}
PRODUCTS = Listing(Product, ProductFilter, product_condition, PRODUCT_COLUMNS, ("name",))
ProductOrder = order_input("Product", PRODUCT_COLUMNS)
COMPETITOR_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
COMPETITORS = Listing(
    Competitor, CompetitorFilter, competitor_condition, COMPETITOR_COLUMNS, ("name",)
)
CompetitorOrder = order_input("Competitor", COMPETITOR_COLUMNS)
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
