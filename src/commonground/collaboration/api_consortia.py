"""API: Consortia."""

from ninja import Router

router = Router(tags=["Consortia"])
