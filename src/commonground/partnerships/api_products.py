"""API: Joint products."""

from ninja import Router

router = Router(tags=["Joint products"])
