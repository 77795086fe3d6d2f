"""The one password every demo login shares, hashed once per process."""

from __future__ import annotations

import functools

from django.contrib.auth.hashers import make_password

from .catalogue import DEMO_PASSWORD


@functools.lru_cache(maxsize=1)
def demo_password_hash() -> str:
    # One hash for every demo login: hashing is deliberately slow (about a second).
    return make_password(DEMO_PASSWORD)
