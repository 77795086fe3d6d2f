"""API: Shared services."""

from ninja import Router

router = Router(tags=["Shared services"])
