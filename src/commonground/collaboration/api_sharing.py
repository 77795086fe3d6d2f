"""API: Data sharing."""

from ninja import Router

router = Router(tags=["Data sharing"])
