"""What the subscriptions take: the resume point and the deal-stage filter (the
subscriptions themselves are in ``resolvers.subscriptions``; the events they send, typed per
event type, in ``schema.events``)."""

from typing import Annotated

import strawberry
from strawberry.relay import GlobalID

AfterEventId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The eventId of the last event received: what was published since comes "
        "first (within the resume window), then live events. Omit to start from now."
    ),
]


@strawberry.input(description="Which deal-stage changes to receive; omitted fields match all.")
class OpportunityStageChangedFilter:
    pipeline_ids: list[GlobalID] | None = strawberry.field(
        default=None, description="Only deals in these pipelines."
    )
    owner_ids: list[GlobalID] | None = strawberry.field(
        default=None, description="Only deals owned by these users (when the move was made)."
    )
    account_ids: list[GlobalID] | None = strawberry.field(
        default=None, description="Only deals on these accounts."
    )
