"""API routes (filled by the issue-12 work)."""

from ninja import Router

router = Router(tags=["planning"])
