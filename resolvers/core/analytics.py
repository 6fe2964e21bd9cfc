"""Glue between the GraphQL analytics fields and the analytics services.

The health of the accounts on one page is read by one batched loader per request, so a page
of 50 accounts with their health costs the same few statements as one account.
"""

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from resolvers.core.context import Context
from services.analytics.health import AccountHealth, account_health
from services.analytics.period import Period
from services.analytics.plans import PlanProgress, plan_progress
from services.analytics.satisfaction import Satisfaction, account_satisfaction
from services.clock import now


def health_loader(context: Context) -> DataLoader[int, AccountHealth | None]:
    """The request's loader of account health by account id (None for an unseen account)."""

    def make() -> DataLoader[int, AccountHealth | None]:
        at = now()

        async def load(keys: Sequence[int]) -> list[AccountHealth | None]:
            found = await account_health(visibility=context.visibility, account_ids=keys, now=at)
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    return context.loaders.named(("analytics", "health"), make)


def satisfaction_loader(context: Context) -> DataLoader[tuple[int, Period], Satisfaction | None]:
    """The request's loader of account satisfaction; keys are (account id, period)."""

    def make() -> DataLoader[tuple[int, Period], Satisfaction | None]:
        async def load(keys: Sequence[tuple[int, Period]]) -> list[Satisfaction | None]:
            by_period: dict[Period, list[int]] = defaultdict(list)
            for account_id, period in keys:
                by_period[period].append(account_id)
            found: dict[tuple[int, Period], Satisfaction] = {}
            for period, ids in by_period.items():
                scores = await account_satisfaction(
                    visibility=context.visibility, account_ids=ids, period=period
                )
                found.update({(i, period): s for i, s in scores.items()})
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    return context.loaders.named(("analytics", "satisfaction"), make)


def plan_progress_loader(context: Context) -> DataLoader[int, PlanProgress | None]:
    """The request's loader of account plan progress by plan id (None for an unseen plan)."""

    def make() -> DataLoader[int, PlanProgress | None]:
        async def load(keys: Sequence[int]) -> list[PlanProgress | None]:
            found = {
                progress.plan_id: progress
                for progress in await plan_progress(
                    visibility=context.visibility, plan_ids=list(keys)
                )
            }
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    return context.loaders.named(("analytics", "plan_progress"), make)
