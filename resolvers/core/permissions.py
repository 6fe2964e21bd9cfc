"""Who may run a field, declared on the field: ``extensions=[signed_in()]``,
``extensions=[may_write(models.Account)]`` (mutations take theirs from ``resolvers.mutation``).

One mechanism for every refusal of the caller's role or credential, checked before the
resolver runs. A missing credential is a top-level ``UNAUTHENTICATED`` error (``SignedIn``).
A refusal of the caller's role, or the service's own refusal of the caller
(``services.errors.Forbidden``: they may see the record but not make this change), goes
through ``MayWrite.refuse``: a top-level ``FORBIDDEN`` error here, the mutation's payload with
a ``FORBIDDEN`` error in its ``errors`` in ``resolvers.mutation.MayWriteInPayload``.
"""

from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.permission import BasePermission, PermissionExtension
from tortoise.models import Model

from resolvers.core.errors import forbidden
from services.auth import SIGN_IN_FIRST, Scope
from services.errors import Forbidden

# What a credential without the write scope (an API key) is told by every mutation it tries.
MAY_NOT_WRITE = "This API key may not change anything: use a key with the write scope."


class SignedIn(BasePermission):
    """The caller presented a valid credential."""

    message = SIGN_IN_FIRST
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return info.context.viewer is not None


def signed_in() -> PermissionExtension:
    """Only for a caller with a valid credential."""
    return PermissionExtension([SignedIn()], use_directives=False)


class MayWrite(FieldExtension):
    """Only for a caller whose role and credential may change records of ``model``; the
    resolver runs only for them, and a ``Forbidden`` it raises is refused the same way. A
    credential without the write scope is told so (``MAY_NOT_WRITE``), a role that may not
    change the records is given ``message``.

    ``refuse`` answers a refusal: here a top-level FORBIDDEN error that nulls the field.
    Nothing has changed when it is called.
    """

    def __init__(self, model: type[Model], message: str | None = None) -> None:
        self.model = model
        self.message = message or f"you may not change {model.__name__} records"

    def refuse(self, info: Any, message: str) -> Any:
        raise forbidden(message)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Any, **kwargs: Any
    ) -> Any:
        context = info.context
        if context.viewer is not None and not context.can(Scope.WRITE):
            return self.refuse(info, MAY_NOT_WRITE)
        if context.viewer is None or not context.may_write(self.model):
            return self.refuse(info, self.message)
        try:
            return await next_(source, info, **kwargs)
        except Forbidden as exc:
            return self.refuse(info, str(exc))


def may_write(model: type[Model], message: str | None = None) -> MayWrite:
    """Only for a caller whose role and credential may change ``model`` records."""
    return MayWrite(model, message)
