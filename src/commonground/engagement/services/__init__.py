"""Every write of the engagement app. Callers import from here."""

from .contributions import (
    TRANSITIONS,
    contribution_create,
    contribution_reject,
    contribution_update,
    contribution_verify,
    contribution_withdraw,
)
from .notices import notice_send, notices_mark_read

__all__ = [
    "TRANSITIONS", "contribution_create", "contribution_reject", "contribution_update",
    "contribution_verify", "contribution_withdraw", "notice_send", "notices_mark_read",
]
