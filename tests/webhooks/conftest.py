from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from models import WebhookEndpoint
from models.enums import Role
from settings import Settings
from tests.factories import make_user
from tests.webhooks.receiver import Receiver, running_receiver
from webhooks import secrets, signing
from webhooks.delivery import Deliverer
from webhooks.policy import RetryPolicy
from webhooks.sender import Sender, SenderOptions


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as found:
        yield found


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def deliverer(clock: Clock) -> AsyncIterator[Deliverer]:
    """Sends to loopback (private destinations allowed), without jitter, on the test clock."""
    sender = Sender(SenderOptions(connect_timeout=2, read_timeout=2, allow_private=True))
    settings = Settings()
    found = Deliverer(
        sender=sender,
        policy=RetryPolicy(settings.webhook_retry_schedule, jitter=0.2, random=lambda: 0.5),
        clock=clock,
        lease=timedelta(seconds=60),
        disable_after=timedelta(hours=settings.webhook_disable_after_hours),
    )
    yield found
    await found.aclose()


async def make_endpoint(
    url: str, *, event_types: list[str] | None = None, owner=None, **values
) -> tuple[WebhookEndpoint, str]:
    """An endpoint stored directly (no URL check), and its secret."""
    owner = owner or await make_user(role=Role.ADMIN)
    secret = signing.new_secret()
    endpoint = await WebhookEndpoint.create(
        owner_id=owner.pk,
        url=url,
        event_types=event_types or ["opportunity.stage_changed"],
        secret_encrypted=secrets.encrypt(secret),
        **values,
    )
    return endpoint, secret


from tests.api.conftest import app, gql, http  # noqa: E402, F401  (the API fixtures)
