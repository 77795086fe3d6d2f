"""How the portal plugs into people (below it), connected in ``PortalConfig.ready()``: the
"Create portal login" button on the staff profile's contact card."""

from __future__ import annotations

from commonground.people import extensions


def connect() -> None:
    extensions.profile_actions.register(extensions.ProfileAction(
        key="portal_access", template="portal/_staff_access_action.html"))
