"""Next-best offering API, mounted by ``web.api`` under /api/v1."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["next-best offering"])
