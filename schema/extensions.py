"""Schema extensions that hand the work of an operation on once it has run: a mutation's
committed events to the relay, without waiting for its next round."""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from events.relay import notify_committed


class WakeRelayAfterMutations(SchemaExtension):
    """Tells the relay a mutation has finished, so its committed events go out at once."""

    def on_execute(self) -> Iterator[None]:
        yield
        if self.execution_context.operation_type == OperationType.MUTATION:
            notify_committed()
