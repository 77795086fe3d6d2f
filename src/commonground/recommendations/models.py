"""Models of this app (added by its first feature commit)."""

from __future__ import annotations

from django.db import models  # noqa: F401
