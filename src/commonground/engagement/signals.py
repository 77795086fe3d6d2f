"""What engagement announces to the apps above it (scoring, recognition).

Sent inside the sender's transaction with ``send`` (not ``send_robust``), like
``people.signals``; ``sender`` is the model class, keyword arguments only.
"""

from __future__ import annotations

from django.dispatch import Signal

# These people's verified contributions or reported outcomes changed (verified, rejected,
# edited, deleted): their scores are stale.
# kwargs: association, person_ids: list[int]
value_changed = Signal()
