"""API: Partnerships."""

from ninja import Router

router = Router(tags=["Partnerships"])
