"""Small builders for test data; each fills sensible defaults and takes overrides."""

import itertools
from decimal import Decimal
from typing import Any

from models import Account, Client, Lead, Opportunity, Stage, Team, User
from models.enums import Role
from services.activities import log_activity
from services.opportunities import create_opportunity
from services.pipelines import ensure_default_pipelines

_sequence = itertools.count(1)


async def make_team(**values: Any) -> Team:
    return await Team.create(**{"name": f"Team {next(_sequence)}", **values})


async def make_user(**values: Any) -> User:
    n = next(_sequence)
    return await User.create(
        **{
            "email": f"user{n}@example.com",
            "name": f"User {n}",
            "role": Role.ACCOUNT_MANAGER,
            **values,
        }
    )


async def make_client(**values: Any) -> Client:
    return await Client.create(**{"name": f"Client {next(_sequence)}", **values})


async def make_account(**values: Any) -> Account:
    if "client_id" not in values:
        values["client_id"] = (await make_client()).pk
    if "owner_id" not in values:
        values["owner_id"] = (await make_user()).pk
    return await Account.create(
        **{"name": f"Account {next(_sequence)}", "currency": "USD", **values}
    )


async def stage(pipeline: str, name: str) -> Stage:
    await ensure_default_pipelines()
    return await Stage.get(pipeline__name=pipeline, name=name)


async def make_opportunity(*, stage_name: str = "Prospecting", **values: Any) -> Opportunity:
    if "account_id" not in values:
        values["account_id"] = (await make_account()).pk
    start = await stage("New business", stage_name)
    values = {"name": f"Deal {next(_sequence)}", "amount": Decimal("1000.00"), **values}
    return await create_opportunity(actor_id=None, values={**values, "stage_id": start.pk})


async def make_lead(**values: Any) -> Lead:
    n = next(_sequence)
    return await Lead.create(
        **{"person_name": f"Lead {n}", "company_name": f"Company {n}", **values}
    )


async def make_activity(**values: Any):
    return await log_activity(actor_id=None, values={"kind": "CALL", "subject": "Call", **values})


async def make_contact(**values: Any):
    from models import Contact

    if "client_id" not in values:
        values["client_id"] = (await make_client()).pk
    return await Contact.create(**{"name": f"Contact {next(_sequence)}", **values})


async def make_plan(**values: Any):
    from datetime import date

    from models import AccountPlan

    if "account_id" not in values:
        values["account_id"] = (await make_account()).pk
    if "owner_id" not in values:
        values["owner_id"] = (await Account.get(pk=values["account_id"])).owner_id
    return await AccountPlan.create(
        **{
            "name": f"Plan {next(_sequence)}",
            "period_start": date(2030, 1, 1),
            "period_end": date(2030, 12, 31),
            "currency": "USD",
            **values,
        }
    )


async def make_request(**values: Any):
    """A coordination request, to a DELIVERY team unless one is given."""
    from models import CoordinationRequest
    from models.enums import TeamKind

    if "team_id" not in values:
        values["team_id"] = (await make_team(kind=TeamKind.DELIVERY)).pk
    if "account_id" not in values:
        values["account_id"] = (await make_account()).pk
    if "requester_id" not in values:
        values["requester_id"] = (await Account.get(pk=values["account_id"])).owner_id
    return await CoordinationRequest.create(**{"title": f"Request {next(_sequence)}", **values})
