"""Error codes for errors raised outside resolvers' control."""

from collections.abc import Iterator

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension


class LabelInputErrors(SchemaExtension):
    """Gives input values Strawberry could not coerce (a malformed global id, say) the
    ``BAD_USER_INPUT`` code, so that clients can tell them from server faults."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or []:
            if isinstance(error.original_error, StrawberryInputCoercionError) or isinstance(
                error, StrawberryInputCoercionError
            ):
                error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
