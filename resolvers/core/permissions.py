"""Who may run a field, declared on the field: ``extensions=[signed_in()]``,
``extensions=[may_write(models.Account)]``.

One mechanism for every refusal of the caller's role or credential: Strawberry's
``PermissionExtension`` runs the check before the resolver, and a refusal is a top-level error
with a code (``UNAUTHENTICATED`` or ``FORBIDDEN``) that nulls the field.
"""

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension
from tortoise.models import Model

SIGN_IN_FIRST = "Sign in first: send 'Authorization: Bearer <access token or API key>'."


class SignedIn(BasePermission):
    """The caller presented a valid credential."""

    message = SIGN_IN_FIRST
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return info.context.viewer is not None


class MayWrite(BasePermission):
    """The caller's role and credential may change records of ``model``."""

    error_extensions = {"code": "FORBIDDEN"}

    def __init__(self, model: type[Model], message: str | None = None) -> None:
        self.model = model
        self.message = message or f"you may not change {model.__name__} records"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return info.context.viewer is not None and info.context.may_write(self.model)


def signed_in() -> PermissionExtension:
    """Only for a caller with a valid credential."""
    return PermissionExtension([SignedIn()], use_directives=False)


def may_write(model: type[Model], message: str | None = None) -> PermissionExtension:
    """Only for a caller whose role and credential may change ``model`` records."""
    return PermissionExtension([MayWrite(model, message)], use_directives=False)
