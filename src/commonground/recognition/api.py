"""Recognition API, mounted by ``web.api`` under /api/v1."""

from ninja import Router

router = Router(tags=["recognition"])
