"""Signals people sends for apps above it (they connect in their ``AppConfig.ready()``).

People never imports those apps; they learn of what happened here through these.
"""

from __future__ import annotations

from django.dispatch import Signal

# People gained email identities in bulk (the roster import, once per chunk), inside the
# transaction that wrote them, so receivers may write in the same transaction.
# kwargs: ``association`` (the Association), ``people``: list of (person id, email key)
# for new people with an email and for people whose email key changed.
identities_added = Signal()
