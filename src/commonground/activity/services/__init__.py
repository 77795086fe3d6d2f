"""Every write of the activity app, by subject:

* ``sources``: sources and their secrets, file batches, webhook rows, rejects;
* ``identity``: tying identifiers to people (and the hash identities of their emails);
* ``backfill``: unmatched activity joining people who gained its email;
* ``unmatched``: staff turning an unmatched identity into a person's history.

The names below are the app's write API (``from commonground.activity import services``).
Lookups of identities are reads: ``activity.identity.selectors``.
"""

from ..identity.services import KINDS, Link, email_hash, email_hashes_sync, identities_link
from .backfill import activities_backfill_emails
from .sources import (
    MAX_API_ROWS,
    activities_ingest_rows,
    activities_prepare,
    batch_run,
    new_secret,
    preview,
    rejects_dismiss,
    rejects_reprocess,
    source_create,
    source_rotate_secret,
    source_update,
)
from .unmatched import unmatched_attach, unmatched_create_prospect

__all__ = [
    "KINDS", "MAX_API_ROWS", "Link", "activities_backfill_emails",
    "activities_ingest_rows", "activities_prepare", "batch_run", "email_hash",
    "email_hashes_sync", "identities_link", "new_secret", "preview", "rejects_dismiss",
    "rejects_reprocess", "source_create", "source_rotate_secret", "source_update",
    "unmatched_attach", "unmatched_create_prospect",
]
