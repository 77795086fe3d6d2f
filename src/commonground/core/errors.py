"""Domain failures. Services raise these; one place (middleware for the UI, the
API's exception handler) turns them into user-facing errors."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. ``code`` is stable for API clients."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.message, "fields": self.fields}


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422


class UnknownPlans(ValidationFailed):
    """A file names plans the association does not have: nothing is written until they
    exist. ``names`` are the plans as the file spells them."""

    code = "unknown_plans"

    def __init__(self, message: str, *, names: list[str],
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, fields=fields or {"plan": [f"unknown plan {n!r}"
                                                             for n in names]})
        self.names = names


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
