"""The activity stream (D3): everything a person did, from every feed, on one timeline.

A ``Source`` is a named feed (the website's analytics export, the email platform, the
store…) with a mapping profile. Each ingested row becomes one ``Activity``; a row that
cannot be read becomes an ``ActivityReject`` with its line and reason, and can be
re-processed once the mapping is fixed. ``Identity`` ties the identifiers feeds carry
(emails, a feed's own ids, hashed emails, anonymous visitor keys) to people.

Activities whose identity matched nobody keep ``person`` empty and carry the identity in
``anonymous_key`` ("email:…", "ext:…", "anon:…"): that is the unmatched queue, and linking
the identity later backfills them onto the person's timeline.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.core.batches.models import FileBatch
from commonground.core.fields import RowIdField, TrustedJSONField
from commonground.tenancy.models import Association

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.TextChoices):
    LEARNING = "learning", "Learning"
    KNOWLEDGE = "knowledge", "Knowledge"
    COMMUNITY = "community", "Community"
    ADVOCACY = "advocacy", "Advocacy"
    MARKETING = "marketing", "Marketing"
    WEB = "web", "Web"
    SOCIAL = "social", "Social"
    COMMERCE = "commerce", "Commerce"
    VOLUNTEERING = "volunteering", "Volunteering"


class ProfileKind(models.TextChoices):
    """The shipped mapping profiles (``activity/profiles/<kind>.toml``), or a custom one."""

    WEB_ANALYTICS = "web_analytics", "Website analytics events"
    SOCIAL = "social", "Social platform export"
    ECOMMERCE = "ecommerce", "Online store orders"
    EMAIL = "email", "Email platform activity"
    EVENT_CHECKIN = "event_checkin", "Event check-ins"
    COURSE_COMPLETION = "course_completion", "Course completions"
    FORUM = "forum", "Forum posts"
    CUSTOM = "custom", "Custom mapping"


class Source(models.Model):
    """A named feed of activity rows and how to read them."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    profile = models.CharField(max_length=20, choices=ProfileKind.choices,
                               default=ProfileKind.CUSTOM)
    # The mapping profile, as the TOML file holds it: columns → fields, value → kind,
    # time zone, identity columns, default category (see activity.mapping).
    mapping = models.JSONField(default=dict, blank=True)
    # HMAC key for the signed webhook. Kept (not hashed) because verifying a signature
    # needs the key itself; shown to staff once when created or rotated.
    webhook_secret = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Health, kept by the ingestion at the end of each batch.
    last_fed_at = models.DateTimeField(null=True, blank=True)
    rows_landed = models.BigIntegerField(default=0)
    rows_duplicate = models.BigIntegerField(default=0)
    rows_unmatched = models.BigIntegerField(default=0)
    rows_rejected = models.BigIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="source_unique_slug")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActivityBatch(FileBatch):
    """One delivery to a source: a file, an API batch or a webhook call, with its counts.

    Chunks commit together with ``rows_done`` and the counts, so an interrupted batch
    resumes after the last committed chunk.
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="batches")
    channel = models.CharField(max_length=8, default="file")  # file / api / webhook
    bytes_done = models.BigIntegerField(default=0)
    created = models.BigIntegerField(default=0)
    duplicates = models.BigIntegerField(default=0)
    unmatched = models.BigIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [
            models.Index(fields=["association", "source", "-created_at"],
                         name="activitybatch_source_idx"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.source_id})"


class Activity(models.Model):
    """One thing one person (or a not yet known visitor) did, from one source."""

    id = RowIdField(primary_key=True)  # no AUTOINCREMENT on SQLite (core.fields)

    # No database constraint on association and source: PostgreSQL's check of a constant key
    # locks the same parent row once per inserted row, ~16 s per 10^6 rows (measured: 1.8 s →
    # 0.25 s of deferred checks per 10^5 rows without these two), about a third of the write.
    # The ingest takes both ids from its ActivityBatch row, whose own FKs to them are enforced
    # and which it holds FOR UPDATE, so they exist; on_delete still runs in the ORM.
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False, db_constraint=False)
    # Empty while the identity is unknown (anonymous visitor, unmatched email…).
    # No database constraint either: the per-row check cost ~9 µs a matched row at commit
    # (1.8 s per 2·10^5 rows). One advisory lock per association gives the guarantee
    # instead (``locks``): a merge or delete of a person waits for the ingest chunks in
    # flight, then moves or deletes what they wrote.
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="activities", db_index=False, db_constraint=False)
    # The identity the row carried when it matched nobody: "anon:<visitor>",
    # "email:<normalised>", "ext:<id>", "hash:<sha256>". Blank once matched.
    anonymous_key = models.CharField(max_length=254, blank=True, default="")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    batch = models.ForeignKey(ActivityBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False, db_constraint=False)
    kind = models.CharField(max_length=40)
    category = models.CharField(max_length=12, choices=Category.choices)
    occurred_at = models.DateTimeField()
    quantity = models.DecimalField(max_digits=14, decimal_places=3, default=1)
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    offering = models.ForeignKey("membership.Offering", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", db_index=False,
                                 db_constraint=False)  # ids from the catalogue read per batch
    metadata = TrustedJSONField(default=dict, blank=True)  # encoded by the ingest itself
    # The source's own id for the row (or a digest of the row when it has none): with the
    # source it is the idempotency key, so re-ingesting a file adds nothing.
    external_id = models.CharField(max_length=200)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "source", "external_id"],
                                    name="activity_unique_external"),
        ]
        indexes = [
            # The timeline, newest first, and per-person summaries. Person first (ids are
            # unique across associations): deleting/merging a person then finds its rows by
            # index for the FK check and the cascade instead of scanning the table.
            # Partial: anonymous rows (often most of a web feed) never reach a timeline.
            models.Index(fields=["person", "occurred_at"], name="activity_person_time_idx",
                         condition=Q(person__isnull=False)),
            # Per-period aggregates. On PostgreSQL migration 0005 makes it a BRIN index: rows
            # arrive roughly in time order, so block ranges summarise them at a fraction of a
            # B-tree's cost per insert (measured 0.26 s vs 0.8 s per 2·10^5 rows).
            models.Index(fields=["association", "occurred_at"], name="activity_period_idx"),
            # Segments' activity windows ("community activity in the last 180 days"): the
            # people of one category in a time range, read from the index alone (person
            # last, so it covers the query on SQLite too). A three-filter count on 10^7 rows
            # went from 1.16 s (a probe of the person index per candidate, heap reads for
            # the category) to ~0.2 s (bench segments); it costs every insert one more entry.
            models.Index(fields=["association", "category", "occurred_at", "person"],
                         name="activity_category_time_idx", condition=Q(person__isnull=False)),
            # The unmatched queue and the backfill when a visitor identifies.
            models.Index(fields=["association", "anonymous_key"], name="activity_unmatched_idx",
                         condition=Q(person__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class RejectStatus(models.TextChoices):
    OPEN = "open", "Open"
    REPROCESSED = "reprocessed", "Re-processed"
    DISMISSED = "dismissed", "Dismissed"


class ActivityReject(models.Model):
    """A row that could not become an activity, kept whole with its line and reason."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="rejects")
    batch = models.ForeignKey(ActivityBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="rejects")
    line = models.BigIntegerField()
    reason = models.CharField(max_length=500)
    raw = models.JSONField(default=dict, help_text="The row as read: column → value")
    # sha1 of the raw row: re-ingesting a file does not store its bad rows twice.
    row_digest = models.CharField(max_length=40, blank=True, default="", editable=False)
    status = models.CharField(max_length=12, choices=RejectStatus.choices,
                              default=RejectStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [
            models.Index(fields=["association", "source", "status", "id"],
                         name="activityreject_open_idx"),
            models.Index(fields=["source", "row_digest"], name="activityreject_digest_idx"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Line {self.line}: {self.reason}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", "Email address"
    EXTERNAL = "ext", "A source's own id"
    HASHED_EMAIL = "hash", "Hashed email (sha256)"
    ANONYMOUS = "anon", "Anonymous visitor key"


class Identity(models.Model):
    """An identifier a feed carries, tied to one person.

    ``value`` is normalised (emails lower-cased; hashes lower-case hex). External ids are
    per source (a store's customer 123 is not the forum's user 123); other kinds are
    association-wide, so ``source`` is null for them.
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="identities")
    kind = models.CharField(max_length=5, choices=IdentityKind.choices)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", db_index=False)
    value = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "source", "value"],
                                    name="identity_unique_scoped",
                                    condition=Q(source__isnull=False)),
            models.UniqueConstraint(fields=["association", "kind", "value"],
                                    name="identity_unique_global",
                                    condition=Q(source__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def key(self) -> str:
        """The form an unmatched activity carries in ``anonymous_key``."""
        return f"{self.kind}:{self.value}"
