"""Descriptions of the field and argument names the schema uses in many places.

A field or argument described where it is declared keeps that description; every other one
takes its name's entry here, so GraphiQL users find every field explained. A test fails when
a name has no description anywhere.
"""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

TERMS = {
    "id": "The record's opaque global id; pass it to node(id:).",
    "ids": "Only these records (global ids).",
    "name": "Name, as people see it.",
    "title": "Job title.",
    "email": "Email address, stored in lower case.",
    "phone": "Phone number, as given.",
    "status": "Current state.",
    "statuses": "Only records in these states.",
    "kind": "What kind of record this is.",
    "kinds": "Only these kinds.",
    "type": "The kind of deal.",
    "types": "Only deals of these kinds.",
    "role": "The part this person plays.",
    "roles": "Only users with these roles.",
    "tier": "How much attention the account gets.",
    "tiers": "Only accounts of these tiers.",
    "source": "Where the lead came from.",
    "sources": "Only leads from these sources.",
    "category": "Product category.",
    "categories": "Only products in these categories.",
    "industry": "Industry, free text.",
    "industries": "Only clients in these industries.",
    "countries": "Only clients in these countries (ISO 3166 alpha-2 codes).",
    "sizeBand": "Head-count band.",
    "tags": "Free-form labels.",
    "buyingRole": "The contact's part in buying decisions.",
    "buyingRoles": "Only contacts with these buying roles.",
    "isPrimary": "The client's main contact.",
    "isActive": "Inactive records are kept but no longer offered.",
    "archivedAt": "When the record was archived; null while it is active.",
    "amount": "Deal value, exact decimal in `currency`.",
    "amountGte": "Only deals worth at least this much (in their own currency).",
    "amountLte": "Only deals worth at most this much (in their own currency).",
    "currency": "ISO 4217 currency code of the money fields.",
    "annualRecurringValue": "Recurring revenue per year, in `currency`.",
    "renewalDate": "When the contract renews.",
    "expectedCloseDate": "When the deal is expected to close.",
    "closedAt": "When the deal was won or lost; null while open.",
    "lostReason": "Why the deal was lost.",
    "nextStep": "What happens next on the deal.",
    "listPrice": "Price per unit before discounts, in `currency`.",
    "unitPrice": "Price per unit on this deal.",
    "quantity": "Number of units.",
    "discountPercent": "Discount on this line, 0..100 percent.",
    "sku": "Stock-keeping unit, unique per product.",
    "website": "Web address.",
    "strengths": "Where the competitor is strong.",
    "weaknesses": "Where the competitor is weak.",
    "notes": "Free-text notes.",
    "subject": "One-line summary.",
    "body": "Full text.",
    "outcome": "What came of it.",
    "occurredAt": "When it happened (UTC).",
    "occurredAfter": "Only activities at or after this time.",
    "occurredBefore": "Only activities before this time.",
    "changedAt": "When the deal moved (UTC).",
    "changedAfter": "Only moves at or after this time.",
    "changedBefore": "Only moves before this time.",
    "changedBy": "Who moved the deal; null for the system.",
    "toStage": "The stage the deal entered.",
    "position": "Order among its siblings, from 0.",
    "personName": "The person's full name.",
    "companyName": "The person's company.",
    "nextFollowUpAt": "When to follow up next.",
    "convertedAt": "When the lead was converted.",
    "convertedAccount": "The account made when the lead was converted.",
    "convertedContact": "The contact made or reused when the lead was converted.",
    "convertedOpportunity": "The deal opened when the lead was converted.",
    "action": "What the change did.",
    "field": "The field to sort by.",
    "after": "A cursor from this list (`pageInfo.endCursor` or an edge's `cursor`): the page "
    "starts just after that item. Opaque: pass it back as it came.",
    "before": "A cursor from this list (`pageInfo.startCursor` or an edge's `cursor`): the page "
    "ends just before that item; use with `last`. Opaque: pass it back as it came.",
    "first": "Page size from the start (or after `after`); 20 by default, at most 100.",
    "last": "Page size from the end (or before `before`); at most 100.",
    "filter": "Narrows the list.",
    "orderBy": "Sort keys, most significant first; the id always breaks ties.",
    "input": "The mutation's input.",
    "account": "The account.",
    "client": "The client organisation.",
    "contact": "The person at the client.",
    "lead": "The lead.",
    "opportunity": "The deal.",
    "activity": "The activity.",
    "product": "The product.",
    "competitor": "The competitor.",
    "owner": "The user responsible.",
    "pipeline": "The pipeline.",
    "stage": "The stage.",
    "user": "The user.",
    "team": "The team.",
    "stageChange": "The stage change written for the move.",
    "opportunityLineItem": "The line item.",
    "opportunityCompetitor": "The competitor on the deal.",
    "accountPlan": "The account plan.",
    "planObjective": "The objective of the account plan.",
    "planAction": "The action of the account plan.",
    "satisfactionResponse": "The satisfaction response.",
    "coordinationRequest": "The coordination request.",
    "comment": "The comment.",
    "target": "The target.",
}


def _id_term(name: str) -> str | None:
    """``accountId`` and ``accountIds`` describe themselves from ``account``."""
    for suffix, text in (
        ("Ids", "Only records linked to these {}s (global ids)."),
        ("Id", "The {}'s global id."),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            subject = name[: -len(suffix)]
            words = "".join(f" {c.lower()}" if c.isupper() else c for c in subject)
            return text.format(words)
    return None


def describe(name: str) -> str | None:
    return TERMS.get(name) or _id_term(name)


def _sort_key_description(schema: GraphQLSchema, enum_name: str, value_name: str) -> str | None:
    """``OpportunityOrderField.AMOUNT`` sorts by ``Opportunity.amount``: say so, with that
    field's description (from the type named like the enum, or one starting so, else the
    glossary)."""
    head, *rest = value_name.lower().split("_")
    field_name = head + "".join(part.title() for part in rest)
    entity = enum_name.removesuffix("OrderField")
    candidates = [schema.type_map.get(entity)] + [
        graphql_type
        for type_name, graphql_type in sorted(schema.type_map.items())
        if type_name.startswith(entity) and type_name != entity
    ]
    for graphql_type in candidates:
        if isinstance(graphql_type, GraphQLObjectType) and field_name in graphql_type.fields:
            text = graphql_type.fields[field_name].description or describe(field_name)
            if text:
                return f"Sort by `{field_name}`: {text}"
    text = describe(field_name)
    return f"Sort by `{field_name}`: {text}" if text else None


def describe_schema(schema: GraphQLSchema) -> list[str]:
    """Fill in missing field, argument and sort-key descriptions; return the names still
    missing."""
    missing = []
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInputObjectType | GraphQLInterfaceType
        ):
            continue
        for field_name, field in graphql_type.fields.items():
            if not field.description:
                field.description = describe(field_name)
            if not field.description:
                missing.append(f"{type_name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description:
                    arg.description = describe(arg_name)
                if not arg.description:
                    missing.append(f"{type_name}.{field_name}({arg_name})")
    # After the fields, whose descriptions the sort keys quote.
    for type_name, graphql_type in schema.type_map.items():
        if isinstance(graphql_type, GraphQLEnumType) and type_name.endswith("OrderField"):
            for value_name, value in graphql_type.values.items():
                if not value.description:
                    value.description = _sort_key_description(schema, type_name, value_name)
                if not value.description:
                    missing.append(f"{type_name}.{value_name}")
    return missing
