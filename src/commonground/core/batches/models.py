"""What every file batch stores: its file, options, status, progress, owner and errors.

``FileBatch`` is abstract: each kind's model (``ImportBatch``, ``ActivityBatch``) inherits
it and adds its association, counts and kind-specific fields. Field and table names are
the ones the kinds had, so inheriting changed no column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BatchStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED = (BatchStatus.DONE, BatchStatus.FAILED)


class FileBatch(models.Model):
    """One run of a kind over one file (or delivery of rows).

    Each chunk commits together with ``rows_done`` and the counts, so a batch that is
    interrupted resumes after the last committed chunk and never half-writes one.
    """

    file_name = models.CharField(max_length=255, blank=True)
    file_path = models.CharField(max_length=500, blank=True)  # its copy in the data dir
    file_sha256 = models.CharField(max_length=64, blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=BatchStatus.choices,
                              default=BatchStatus.PENDING)
    total_rows = models.BigIntegerField(null=True, blank=True)
    rows_done = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    errors_file = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    owner = models.CharField(max_length=120, blank=True)  # host:pid running it
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED
