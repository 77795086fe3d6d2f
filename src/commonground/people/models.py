"""People, organisations, the relationships between them, chapters and custom fields."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from commonground.core.batches.models import BatchStatus, FileBatch
from commonground.tenancy.models import Association

NO_MEMBERSHIP = date(9999, 12, 31)


class Sector(models.TextChoices):
    PUBLIC = "public", "Public"
    VOLUNTARY = "voluntary", "Voluntary"
    PRIVATE = "private", "Private"


class Chapter(models.Model):
    """A local group of the association."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64)
    region = models.CharField(max_length=120, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="chapter_unique_slug")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A company, agency or nonprofit: an organisational member or an employer."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    sector = models.CharField(max_length=10, choices=Sector.choices, default=Sector.PRIVATE)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "name_key"], name="organisation_unique_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """An individual: member, prospect, contact or staff member's own record."""

    # Indexed through the composite indexes below, which all start with it: a
    # single-column index would only slow bulk imports down.
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    # Lower-cased normalised email: the dedupe key, unique within the association.
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="people")
    custom = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=100, blank=True,
                                   help_text="The id in the system this record came from")
    # Partial index in Meta: only people with a portal login have a user.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="people", db_index=False)
    # Lower-cased "first last email" for search; kept by services, never edited.
    search_text = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # The person's current membership (the live one, else the latest), copied here by
    # membership.services.member_summary_refresh so the member list can filter and sort
    # 100,000+ people on indexed columns of one table. Never edited directly.
    member_status = models.CharField(max_length=12, blank=True, editable=False, db_default="")
    # No index of its own: the plan filter is served by person_list_idx (a separate plan
    # index lures SQLite into reading whole table rows for every plan member).
    member_plan = models.ForeignKey("membership.Plan", null=True, blank=True, editable=False,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    # Never null, so they are plain index keys for sorting and keyset pages; people who
    # were never members carry NO_MEMBERSHIP and sort after everyone else.
    member_since = models.DateField(db_default=NO_MEMBERSHIP, editable=False)
    member_until = models.DateField(db_default=NO_MEMBERSHIP, editable=False)

    objects = ScopedManager(association="association")
    # History rows are read per person (by id); other indexes there only cost imports.
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at", "member_status",
                                                 "member_plan", "member_since", "member_until"],
                                no_db_index=["association", "chapter", "user"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["association", "email_key"], condition=~Q(email_key=""),
                name="person_unique_email",
            )
        ]
        indexes = [
            # The member list in name order, covering every column its filters test, so
            # SQLite and PostgreSQL check search and filters on index entries and read only
            # the page's rows from the table (bench pages: list p95 250 ms -> under 100 ms).
            models.Index(fields=["association", "last_name", "first_name", "id", "search_text",
                                 "member_status", "member_plan", "chapter", "member_until",
                                 "erased_at"], name="person_list_idx"),
            models.Index(fields=["association", "created_at", "id"], name="person_created_idx"),
            models.Index(fields=["association", "member_until", "id"], name="person_until_idx"),
            models.Index(fields=["association", "member_since", "id"], name="person_since_idx"),
            models.Index(fields=["user"], name="person_user_idx", condition=Q(user__isnull=False)),
        ]
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Person {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @staticmethod
    def make_search_text(first_name: str, last_name: str, email: str) -> str:
        return f"{first_name} {last_name} {email}".lower().strip()


class RelationshipKind(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    PRIMARY_CONTACT = "primary_contact", "Primary contact"
    BILLING_CONTACT = "billing_contact", "Billing contact"
    BOARD = "board", "Board member"
    OWNER = "owner", "Owner"


class Relationship(models.Model):
    """A person's tie to an organisation, dated."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)  # leads the unique key
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="relationships")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices,
                            default=RelationshipKind.EMPLOYEE)
    title = models.CharField(max_length=120, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "person", "organisation", "kind"],
                                    name="relationship_unique")
        ]


class Note(models.Model):
    """A staff note on a person's profile. Erasing the person empties ``body`` (free text
    about someone cannot be reliably anonymised) and keeps who wrote a note and when."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)  # leads the person index
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes",
                               db_index=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(blank=True)
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "person", "created_at"],
                                name="note_person_idx")]
        ordering = ["-pinned", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on person {self.person_id}"


class DuplicateDismissal(models.Model):
    """Staff said these two people are not the same: the finder stops proposing the pair.

    Stored with ``person_a`` < ``person_b`` so a pair has one row whichever way round it
    was dismissed."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)  # leads the unique key
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "person_a", "person_b"],
                                    name="duplicate_dismissal_unique"),
            models.CheckConstraint(condition=Q(person_a__lt=models.F("person_b")),
                                   name="duplicate_dismissal_ordered"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Not duplicates: {self.person_a_id} / {self.person_b_id}"


class FieldKind(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes / no"
    CHOICE = "choice", "Choice"
    URL = "url", "Web address"


class CustomFieldDefinition(models.Model):
    """A field the association defines for people; values live in Person.custom."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=64)
    label = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "key"], name="customfield_unique_key")
        ]
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class ImportBatch(FileBatch):
    """One run of a roster import (``membership.roster``): the file, its options, progress
    and counts. The model stays in people (table ``people_importbatch``, its audit entries
    and content type) while the code that runs it lives in membership, which it writes.
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    # The fields below that FileBatch also has keep this table's columns as they were.
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500, help_text="Stored copy the import reads")
    file_sha256 = models.CharField(max_length=64)
    owner = models.CharField(max_length=120, blank=True, help_text="host:pid running it")
    options_key = models.CharField(max_length=64, help_text="sha256 of the options, for resuming")
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    memberships_created = models.PositiveIntegerField(default=0)
    memberships_renewed = models.PositiveIntegerField(default=0)
    # Memberships (created or renewed) the import left lapsed: an expiry past its grace.
    memberships_lapsed = models.PositiveIntegerField(default=0)
    unknown_headers = models.JSONField(default=list, blank=True)
    mapped_headers = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [
            models.Index(fields=["association", "file_sha256", "options_key"],
                         name="importbatch_file_idx"),
            models.Index(fields=["association", "-created_at"], name="importbatch_recent_idx"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.file_name})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == BatchStatus.DONE else 0
        return min(100, int(self.rows_done * 100 / self.total_rows))
