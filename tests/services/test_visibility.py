"""services/visibility.py fails closed: a model without a rule is for administrators only."""

from datetime import UTC, datetime

import pytest
from tortoise import Tortoise
from tortoise.expressions import Q

from models import LoginThrottle
from models.enums import Role
from services.visibility import DIRECTORY, NOTHING, RULED, Visibility
from tests.factories import make_team, make_user

NOT_ADMINS = [Role.SALES_MANAGER, Role.ACCOUNT_MANAGER, Role.TEAM_MEMBER, Role.VIEWER]


def everything(condition: Q) -> bool:
    return not condition.children and not condition.filters and not condition._is_negated


def every_model() -> list:
    return sorted(Tortoise.apps["models"].values(), key=lambda model: model.__name__)


async def test_every_model_without_a_rule_is_seen_by_administrators_only():
    team = await make_team()
    admin = await make_user(role=Role.ADMIN)
    others = [await make_user(role=role, team_id=team.pk) for role in NOT_ADMINS]
    unruled = [model for model in every_model() if model not in RULED]
    # Sign-in secrets and the outbox: nobody wrote a rule for them, and nobody needs one.
    assert [model.__name__ for model in unruled] == ["LoginThrottle", "OutboxEvent", "RefreshToken"]
    for model in every_model():
        assert everything(Visibility(admin).condition(model))
        for viewer in [None, *others]:
            condition = Visibility(viewer).condition(model)
            if model not in RULED:
                assert condition is NOTHING, (model.__name__, viewer)
            elif model in DIRECTORY and viewer is not None:
                assert everything(condition), model.__name__


@pytest.mark.parametrize("role", NOT_ADMINS)
async def test_a_model_added_without_a_rule_is_hidden_from_everyone_but_administrators(role):
    class Newcomer:  # stands for any model added later without a rule
        pass

    viewer = await make_user(role=role, team_id=(await make_team()).pk)
    assert Visibility(viewer).condition(Newcomer) is NOTHING  # type: ignore[arg-type]
    admin = await make_user(role=Role.ADMIN)
    assert everything(Visibility(admin).condition(Newcomer))  # type: ignore[arg-type]


async def test_rows_of_unruled_models_are_read_by_administrators_only():
    await LoginThrottle.create(
        account="x@example.com", address="127.0.0.1", failures=1, last_attempt_at=datetime.now(UTC)
    )
    team = await make_team()
    for role in NOT_ADMINS:
        viewer = await make_user(role=role, team_id=team.pk)
        assert await LoginThrottle.filter(Visibility(viewer).condition(LoginThrottle)).count() == 0
    admin = await make_user(role=Role.ADMIN)
    assert await LoginThrottle.filter(Visibility(admin).condition(LoginThrottle)).count() == 1
