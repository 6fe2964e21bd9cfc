"""Mutations: one ``input`` argument, a payload with the changed object and ``errors``."""

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql import GraphQLError

from resolvers.mutation import input_values, respond
from schema import types as t
from schema.base import Info, UserError
from schema.inputs import (
    CompleteTaskInput,
    ConvertLeadInput,
    CreateAccountInput,
    CreateClientInput,
    CreateCompetitorInput,
    CreateContactInput,
    CreateLeadInput,
    CreateOpportunityCompetitorInput,
    CreateOpportunityInput,
    CreateOpportunityLineItemInput,
    CreateProductInput,
    CreateTeamInput,
    CreateUserInput,
    DeactivateUserInput,
    LogActivityInput,
    MoveOpportunityStageInput,
    UpdateAccountInput,
    UpdateActivityInput,
    UpdateClientInput,
    UpdateCompetitorInput,
    UpdateContactInput,
    UpdateLeadInput,
    UpdateOpportunityCompetitorInput,
    UpdateOpportunityInput,
    UpdateOpportunityLineItemInput,
    UpdateProductInput,
    UpdateTeamInput,
    UpdateUserInput,
    id_input,
)
from schema.lead_import import IMPORT_LEADS
from services import records
from services.accounts import ACCOUNT, create_account
from services.activities import ACTIVITY, complete_task, log_activity
from services.auth import hash_password, revoke_sessions
from services.catalog import COMPETITOR, PRODUCT
from services.clients import CLIENT, CONTACT, create_client
from services.leads import LEAD, convert_lead, create_lead
from services.opportunities import (
    DEAL_COMPETITOR,
    LINE_ITEM,
    OPPORTUNITY,
    create_opportunity,
    move_opportunity_stage,
)
from services.passwords import check_new_password
from services.people import TEAM, USER
from services.records import RecordKind


def ensure_may_write(info: Info, model: type) -> None:
    """Refuse, as a top-level FORBIDDEN error, a change the caller's role or key may not make."""
    if not info.context.may_write(model):
        raise GraphQLError(
            f"you may not change {model.__name__} records", extensions={"code": "FORBIDDEN"}
        )


def payload_type(mutation: str, fields: dict[str, Any], description: str) -> type:
    annotations = {name: node | None for name, node in fields.items()}
    annotations["errors"] = list[UserError]
    namespace: dict[str, Any] = {"__annotations__": annotations}
    namespace.update({name: None for name in fields})
    namespace["errors"] = strawberry.field(description="Why nothing changed; empty on success.")
    return strawberry.type(type(f"{mutation}Payload", (), namespace), description=description)


Work = Callable[[dict[str, Any], int | None], Awaitable[Any]]


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

        async def call() -> dict[str, Any]:
            row = await work(await input_values(info, input, id_type), info.context.actor_id)
            return {attribute: node.from_row(row)}

        return await respond(payload, call)

    return name, strawberry.mutation(resolver=resolve, description=description)


def create_work(kind: RecordKind) -> Work:
    """Create a record of ``kind`` from a create input's values."""

    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await records.create_record(kind, actor_id=actor_id, values=values)

    return work


def update_work(kind: RecordKind) -> Work:
    """Apply an update input (its ``id`` and the fields given) to a record of ``kind``."""

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


def entity_mutations(
    entity: str,
    node: Any,
    kind: RecordKind,
    create: type | None,
    update: type,
    *,
    archivable: bool = True,
    creator: Work | None = None,
) -> dict[str, Any]:
    """create/update/archive/restore for one entity (create/update/delete for the parts of
    a deal), all with the same payload shape. ``creator`` replaces the plain create."""
    a = f"an {kind.label}" if kind.label[0] in "aeiou" else f"a {kind.label}"
    fields: dict[str, Any] = {}

    def field(mutation: str, input_type: type, work: Work, description: str) -> None:
        name, resolver = record_mutation(
            mutation, input_type, node, work, description, id_type=entity
        )
        fields[name] = resolver

    def state_change(operation: Callable) -> Callable:
        async def work(values: dict[str, Any], actor_id: int | None) -> Any:
            return await operation(kind, record_id=values["id"], actor_id=actor_id)

        return work

    if create is not None:
        field(f"Create{entity}", create, creator or create_work(kind), f"Create {a}.")
    field(f"Update{entity}", update, update_work(kind), f"Change {a}.")
    if not archivable:
        field(
            f"Delete{entity}",
            id_input(f"Delete{entity}", f"The {kind.label} to delete."),
            state_change(records.delete_record),
            f"Delete {a}; the audit log keeps its values. Returns it as it was.",
        )
        return fields
    field(
        f"Archive{entity}",
        id_input(f"Archive{entity}", f"The {kind.label} to archive."),
        state_change(records.archive_record),
        f"Archive {a}: hidden from lists by default, nothing is deleted.",
    )
    field(
        f"Restore{entity}",
        id_input(f"Restore{entity}", f"The {kind.label} to restore."),
        state_change(records.restore_record),
        f"Bring back an archived {kind.label}.",
    )
    return fields


MoveOpportunityStagePayload = payload_type(
    "MoveOpportunityStage",
    {"opportunity": t.Opportunity, "stage_change": t.OpportunityStageChange},
    "The deal after the move and the stage change written for it.",
)
ConvertLeadPayload = payload_type(
    "ConvertLead",
    {
        "lead": t.Lead,
        "client": t.Client,
        "contact": t.Contact,
        "account": t.Account,
        "opportunity": t.Opportunity,
    },
    "The converted lead and the records made or reused for it.",
)


async def _move_stage(info: Info, input: MoveOpportunityStageInput) -> MoveOpportunityStagePayload:  # type: ignore[valid-type]
    ensure_may_write(info, t.Opportunity.model)

    async def call() -> dict[str, Any]:
        values = await input_values(info, input)
        change = await move_opportunity_stage(actor_id=info.context.actor_id, **values)
        deal = await t.Opportunity.model.get(pk=change.opportunity_id)
        return {
            "opportunity": t.Opportunity.from_row(deal),
            "stage_change": t.OpportunityStageChange.from_row(change),
        }

    return await respond(MoveOpportunityStagePayload, call)


async def _convert_lead(info: Info, input: ConvertLeadInput) -> ConvertLeadPayload:  # type: ignore[valid-type]
    ensure_may_write(info, t.Lead.model)

    async def call() -> dict[str, Any]:
        done = await convert_lead(actor_id=info.context.actor_id, **await input_values(info, input))
        return {
            "lead": t.Lead.from_row(done.lead),
            "client": t.Client.from_row(done.client),
            "contact": t.Contact.from_row(done.contact),
            "account": t.Account.from_row(done.account),
            "opportunity": t.Opportunity.from_row(done.opportunity) if done.opportunity else None,
        }

    return await respond(ConvertLeadPayload, call)


async def _create_user(values: dict[str, Any], actor_id: int | None) -> Any:
    password = values.pop("password", None)
    if password is not None:
        check_new_password(password)
        values["password_hash"] = hash_password(password)
    return await records.create_record(USER, actor_id=actor_id, values=values)


async def _deactivate_user(values: dict[str, Any], actor_id: int | None) -> Any:
    user = await records.update_record(
        USER, record_id=values["id"], actor_id=actor_id, changes={"is_active": False}
    )
    # So that activating the user again does not bring their old sessions back.
    await revoke_sessions(user_id=user.pk)
    return user


MUTATION_FIELDS: dict[str, Any] = {
    **entity_mutations(
        "Client",
        t.Client,
        CLIENT,
        CreateClientInput,
        UpdateClientInput,
        creator=lambda values, actor_id: create_client(actor_id=actor_id, values=values),
    ),
    **entity_mutations("Contact", t.Contact, CONTACT, CreateContactInput, UpdateContactInput),
    **entity_mutations(
        "Account",
        t.Account,
        ACCOUNT,
        CreateAccountInput,
        UpdateAccountInput,
        creator=lambda values, actor_id: create_account(actor_id=actor_id, values=values),
    ),
    **entity_mutations("Product", t.Product, PRODUCT, CreateProductInput, UpdateProductInput),
    **entity_mutations(
        "Competitor", t.Competitor, COMPETITOR, CreateCompetitorInput, UpdateCompetitorInput
    ),
    **entity_mutations("Lead", t.Lead, LEAD, None, UpdateLeadInput),
    **entity_mutations("Opportunity", t.Opportunity, OPPORTUNITY, None, UpdateOpportunityInput),
    **entity_mutations("Activity", t.Activity, ACTIVITY, None, UpdateActivityInput),
    **entity_mutations(
        "OpportunityLineItem",
        t.OpportunityLineItem,
        LINE_ITEM,
        CreateOpportunityLineItemInput,
        UpdateOpportunityLineItemInput,
        archivable=False,
    ),
    **entity_mutations(
        "OpportunityCompetitor",
        t.OpportunityCompetitor,
        DEAL_COMPETITOR,
        CreateOpportunityCompetitorInput,
        UpdateOpportunityCompetitorInput,
        archivable=False,
    ),
    **dict(
        [
            record_mutation(
                "CreateLead",
                CreateLeadInput,
                t.Lead,
                lambda values, actor_id: create_lead(actor_id=actor_id, values=values),
                "Record a new lead; the owner defaults to the caller.",
            ),
            record_mutation(
                "CreateOpportunity",
                CreateOpportunityInput,
                t.Opportunity,
                lambda values, actor_id: create_opportunity(actor_id=actor_id, values=values),
                "Open a deal on an account; its stage history starts with its first stage.",
            ),
            record_mutation(
                "LogActivity",
                LogActivityInput,
                t.Activity,
                lambda values, actor_id: log_activity(actor_id=actor_id, values=values),
                "Record a call, email, meeting, note or task on a client, contact, account, "
                "deal or lead.",
            ),
            record_mutation(
                "CompleteTask",
                CompleteTaskInput,
                t.Activity,
                lambda values, actor_id: complete_task(actor_id=actor_id, **values),
                "Mark a task done.",
            ),
        ]
    ),
    "convert_lead": strawberry.mutation(
        resolver=_convert_lead,
        description="Convert a lead in one transaction: a client (reused when its domain "
        "matches), a contact, an account and optionally a deal; the lead becomes CONVERTED.",
    ),
    **dict(
        [
            record_mutation(
                "CreateUser",
                CreateUserInput,
                t.User,
                _create_user,
                "Create a user (administrators only).",
            ),
            record_mutation(
                "UpdateUser",
                UpdateUserInput,
                t.User,
                update_work(USER),
                "Change a user (administrators only).",
                id_type="User",
            ),
            record_mutation(
                "DeactivateUser",
                DeactivateUserInput,
                t.User,
                _deactivate_user,
                "Deactivate a user: their tokens and API keys stop working at once "
                "(administrators only).",
                id_type="User",
            ),
            record_mutation(
                "CreateTeam",
                CreateTeamInput,
                t.Team,
                create_work(TEAM),
                "Create a team (administrators only).",
            ),
            record_mutation(
                "UpdateTeam",
                UpdateTeamInput,
                t.Team,
                update_work(TEAM),
                "Change a team (administrators only).",
                id_type="Team",
            ),
        ]
    ),
    "import_leads": IMPORT_LEADS,
    "move_opportunity_stage": strawberry.mutation(
        resolver=_move_stage,
        description="Move a deal to another stage of its pipeline. Lost stages need a lost "
        "reason, won stages an amount above 0; a closed deal reopens only by a move to an "
        "open stage.",
    ),
}

# Plans, satisfaction, coordination requests and targets, built with the machinery above.
from schema.account_work_mutations import ACCOUNT_WORK_MUTATIONS  # noqa: E402

MUTATION_FIELDS.update(ACCOUNT_WORK_MUTATIONS)

Mutation = strawberry.type(type("Mutation", (), MUTATION_FIELDS), description="Changes.")
