"""Where a batch keeps its files: a folder in the data dir (``COMMONGROUND_DATA_DIR``).

Every kind stores the file it reads there when the batch is prepared (the CLI's file is
copied, a web upload moved), so a background run or a resume never depends on the
caller's copy still being where it was.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
from pathlib import Path

from django.conf import settings


def batch_dir(area: str, key: str | int) -> Path:
    """The folder of one batch (``<data dir>/<area>/<key>``), made on first use."""
    path = Path(settings.DATA_DIR) / area / str(key)
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_file(path: str | Path, folder: Path, *, move: bool = False) -> Path:
    """The batch's own copy of ``path`` in ``folder`` (``source.<suffix>``)."""
    path = Path(path)
    stored = folder / f"source{path.suffix.lower()[:8] or '.csv'}"
    if move:
        shutil.move(path, stored)
    else:
        shutil.copyfile(path, stored)
    return stored


def _uploads(owner: str | int) -> Path:
    return Path(settings.DATA_DIR) / "uploads" / str(owner)


def save_upload(upload, *, owner: str | int, suffix: str) -> tuple[str, Path]:
    """Write an uploaded file (Django's ``UploadedFile``) into the data dir, in chunks:
    (token, path). ``owner`` (the association's id) keeps each tenant's uploads apart; the
    token names the upload in a form (a mapping step between upload and run) without
    exposing a path."""
    token = secrets.token_hex(16)
    folder = _uploads(owner)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{token}{suffix.lower()[:8] or '.csv'}"
    with open(path, "wb") as fh:
        for part in upload.chunks():
            fh.write(part)
    return token, path


def find_upload(token: str, *, owner: str | int) -> Path | None:
    """The upload a token names (None for a malformed token or one that is gone)."""
    if len(token) != 32 or any(c not in "0123456789abcdef" for c in token):
        return None
    folder = _uploads(owner)
    return next(iter(sorted(folder.glob(f"{token}.*"))), None) if folder.is_dir() else None


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
