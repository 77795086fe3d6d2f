"""What people announces to the apps above it.

People sits below membership and activity (and the apps to come), so it cannot call them.
Instead its services send these signals at the points where the other apps have work to
do; each app connects its receivers in its ``AppConfig.ready()``. Receivers run inside the
sender's transaction and their exceptions propagate (``send``, never ``send_robust``), so
a failing participant rolls the whole write back, as a direct call would.

All of them are sent with ``sender=Person`` and keyword arguments only.
"""

from __future__ import annotations

from django.dispatch import Signal

# People now have these emails (created, changed, merged, imported): unmatched activity
# carrying them can join their timelines.
# kwargs: association, people: list[tuple[person_id, email_key]] (blank keys already dropped)
person_emails_added = Signal()

# A merge is about to lock and move the two people's rows. Sent before any person row is
# locked, so a participant can take its own lock first (activity waits for writes in flight).
# kwargs: association, keep: Person, remove: Person
person_merge_starting = Signal()

# ``remove`` was merged into ``keep``: every row moved, ``remove`` deleted, ``keep`` saved.
# ``former_emails`` are email keys the merged person had but no longer holds as their address
# (activity keeps them as identities so feeds still match).
# kwargs: association, keep: Person, removed_id: int, former_emails: list[str]
person_merged = Signal()

# The person's identity is being erased (GDPR): each app blanks its part.
# kwargs: association, person: Person
person_erasing = Signal()
