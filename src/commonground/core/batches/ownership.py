"""Which process runs a batch: claim, heartbeat, and whether the owner is still alive.

The owner is ``host:pid``. On the same host a dead pid frees the batch at once; a batch
owned on another host is alive while its heartbeat (renewed by every committed chunk) is
fresher than ``stale_after``.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import BatchStatus, FileBatch


class BatchBusy(RuntimeError):
    """Another process is running this batch."""


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(batch: FileBatch, *, stale_after: timedelta = timedelta(minutes=2)) -> bool:
    """Is the process that claimed the batch still working on it?"""
    if not batch.owner or batch.status != BatchStatus.RUNNING:
        return False
    host, _, pid = batch.owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return bool(batch.heartbeat_at and timezone.now() - batch.heartbeat_at < stale_after)


def is_stuck(batch: FileBatch) -> bool:
    """Claimed by a process that is gone (killed): safe to resume elsewhere."""
    return batch.status == BatchStatus.RUNNING and not owner_alive(batch)


def claim(model: type[FileBatch], batch_id: int, owner: str, *,
          related: tuple[str, ...] = ("association",)) -> FileBatch | None:
    """Take the batch for this process, unless it is finished or someone live holds it."""
    with scopes_disabled(), transaction.atomic():
        batch = model.objects.select_for_update().select_related(*related).get(pk=batch_id)
        if batch.status == BatchStatus.DONE:
            return None
        if batch.owner != owner and owner_alive(batch):
            return None
        batch.status = BatchStatus.RUNNING
        batch.owner = owner
        batch.heartbeat_at = timezone.now()
        batch.started_at = batch.started_at or batch.heartbeat_at
        batch.message = ""
        batch.save(update_fields=["status", "owner", "heartbeat_at", "started_at", "message"])
        return batch
