"""What activity announces to the apps above it (scoring: incremental score updates).

Sent with ``send`` inside the transaction that committed the rows; ``sender`` is
``Activity``; keyword arguments only.
"""

from __future__ import annotations

from django.dispatch import Signal

# A batch (file, API or webhook) landed activities for these people.
# kwargs: association, batch_id: int, person_ids: list[int]
activities_landed = Signal()
