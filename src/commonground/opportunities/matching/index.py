"""The member index: NumPy/SciPy arrays of everyone's traits, contributions and words,
built in one read and cached in the process and on disk until its data changes."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from commonground.engagement.models import Trait, TraitKind
from commonground.membership.lifecycle import LIVE
from commonground.tenancy.models import Association

from .. import semantic, sql
from .text import KINDS, SOURCE_CODE, TRAIT_TOKEN, Analyzer, Lexicon, phrases

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- the index

@dataclass
class MemberIndex:
    association_id: int
    signature: tuple
    person_ids: np.ndarray          # int64, ascending
    chapter_ids: np.ndarray         # int64, 0 = none
    live: np.ndarray                # bool: a current member
    taxonomy: dict[int, dict]       # trait id → {kind, slug, name, synonyms}
    trait_cols: dict[int, int]      # trait id → column of ``strength``
    strength: sparse.csr_matrix     # people × traits, 1–5 (0: not held)
    source: sparse.csr_matrix       # same shape: 1 member, 2 staff, 3 inferred
    contributions: np.ndarray       # people × KINDS, verified counts
    last_contribution: np.ndarray   # int32 date ordinal of the last verified one, 0 = none
    lexicon: Lexicon | None
    text: sparse.csr_matrix | None  # people × (words + traits), TF-IDF rows (L2-normalised)
    docs: list[str] | None = None   # kept for the semantic extra only
    build_seconds: float = 0.0

    def rows_of(self, person_ids: Any) -> np.ndarray:
        """Row positions of these people (-1 for people not in the index)."""
        ids = np.asarray(person_ids, dtype=np.int64)
        pos = np.searchsorted(self.person_ids, ids)
        pos = np.clip(pos, 0, max(len(self.person_ids) - 1, 0))
        found = (self.person_ids[pos] == ids) if len(self.person_ids) else np.zeros(len(ids), bool)
        return np.where(found, pos, -1)


_CACHE: dict[int, MemberIndex] = {}
_LOCK = threading.Lock()


def _taxonomy() -> dict[int, dict]:
    return {t.pk: {"kind": t.kind, "slug": t.slug, "name": t.name,
                   "synonyms": [str(s) for s in (t.synonyms or [])]}
            for t in Trait.objects.filter(is_active=True).order_by("pk")}


# Bumped when ``MemberIndex`` changes shape: an index pickled by older code is rebuilt.
INDEX_FORMAT = 2


def _signature(association: Association, taxonomy: dict[int, dict]) -> tuple:
    digest = hashlib.sha1(repr(sorted(taxonomy.items())).encode()).hexdigest()
    return (INDEX_FORMAT, association.pk, str(association.created_at), semantic.available(),
            *sql.index_signature(association_id=association.pk), digest)


def index_path(association_id: int) -> Path:
    return Path(settings.DATA_DIR) / "opportunities" / f"member-index-{association_id}.pickle"


def _load(association_id: int) -> MemberIndex | None:
    path = index_path(association_id)
    try:
        with open(path, "rb") as fh:
            index = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # an old or broken file: rebuilt below
        log.warning("member index %s unreadable; rebuilding", path, exc_info=True)
        return None
    return index if isinstance(index, MemberIndex) else None


def _save(index: MemberIndex) -> None:
    path = index_path(index.association_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a concurrent reader sees the old file or the new one, never half.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def member_index(association: Association, *, rebuild: bool = False) -> MemberIndex:
    """The association's index, from memory, disk, or built now when stale."""
    taxonomy = _taxonomy()
    signature = _signature(association, taxonomy)
    with _LOCK:
        index = _CACHE.get(association.pk)
        if not rebuild and index is not None and index.signature == signature:
            return index
        if not rebuild:
            index = _load(association.pk)
            if index is not None and index.signature == signature:
                _CACHE[association.pk] = index
                return index
        index = build_index(association, taxonomy=taxonomy, signature=signature)
        _CACHE[association.pk] = index
        try:
            _save(index)
        except OSError:
            log.warning("member index not saved", exc_info=True)
        return index


def build_index(association: Association, *, taxonomy: dict[int, dict] | None = None,
                signature: tuple = ()) -> MemberIndex:
    started = time.perf_counter()
    aid = association.pk
    taxonomy = _taxonomy() if taxonomy is None else taxonomy
    people = sql.member_people(association_id=aid)
    n = len(people)
    person_ids = np.fromiter((p[0] for p in people), dtype=np.int64, count=n)
    chapter_ids = np.fromiter((p[1] or 0 for p in people), dtype=np.int64, count=n)
    live_values = {str(s) for s in LIVE}
    live = np.fromiter((p[2] in live_values for p in people), dtype=bool, count=n)
    del people
    index = MemberIndex(association_id=aid, signature=signature, person_ids=person_ids,
                        chapter_ids=chapter_ids, live=live, taxonomy=taxonomy,
                        trait_cols={tid: c for c, tid in enumerate(taxonomy)},
                        strength=sparse.csr_matrix((n, len(taxonomy)), dtype=np.float32),
                        source=sparse.csr_matrix((n, len(taxonomy)), dtype=np.int8),
                        contributions=np.zeros((n, len(KINDS)), dtype=np.int32),
                        last_contribution=np.zeros(n, dtype=np.int32),
                        lexicon=None, text=None)
    _traits_into(index, sql.member_traits(association_id=aid))
    _contributions_into(index, sql.contribution_counts(association_id=aid))
    texts = sql.member_texts(association_id=aid)
    docs = [""] * n
    if texts:
        rows = index.rows_of([t[0] for t in texts])
        for r, (_, text) in zip(rows.tolist(), texts, strict=True):
            if r >= 0 and text:
                docs[r] = f"{docs[r]} ; {text}" if docs[r] else text
    del texts
    _lexicon_into(index, docs)
    if semantic.available():
        names = _held_names(index)
        index.docs = [f"{names[r]} ; {d}" for r, d in enumerate(docs)]
    index.build_seconds = time.perf_counter() - started
    return index


def _traits_into(index: MemberIndex, rows: list[tuple]) -> None:
    if not rows:
        return
    pid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    tid = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    src = np.fromiter((SOURCE_CODE.get(r[2], 3) for r in rows), dtype=np.int8, count=len(rows))
    strength = np.fromiter((r[3] for r in rows), dtype=np.float32, count=len(rows))
    row = index.rows_of(pid)
    # Trait id → column through a lookup array (ids are small integers).
    lookup = np.full(int(max(tid.max(), max(index.trait_cols, default=0))) + 1, -1, np.int64)
    for t, c in index.trait_cols.items():
        lookup[t] = c
    col = lookup[tid]
    keep = (row >= 0) & (col >= 0)
    row, col, src, strength = row[keep], col[keep], src[keep], strength[keep]
    # One value per (person, trait): the best source (lowest code) wins.
    order = np.lexsort((src, col, row))
    row, col, src, strength = row[order], col[order], src[order], strength[order]
    first = np.ones(len(row), dtype=bool)
    first[1:] = (row[1:] != row[:-1]) | (col[1:] != col[:-1])
    row, col, src, strength = row[first], col[first], src[first], strength[first]
    shape = index.strength.shape
    index.strength = sparse.csr_matrix((strength, (row, col)), shape=shape, dtype=np.float32)
    index.source = sparse.csr_matrix((src, (row, col)), shape=shape, dtype=np.int8)


def _lexicon_into(index: MemberIndex, docs: list[str]) -> None:
    """Count the words of ``docs`` and the taxonomy entries people hold (skills and
    interests) or name in them; weigh by TF-IDF."""
    analyzer = Analyzer(phrases(index.taxonomy))
    n, n_traits = len(docs), len(index.trait_cols)
    counter = CountVectorizer(analyzer=analyzer, dtype=np.float32)
    try:
        counts = counter.fit_transform(docs).tocsc()
        names = counter.get_feature_names_out()
    except ValueError:  # nobody wrote anything yet
        counts, names = sparse.csc_matrix((n, 0), dtype=np.float32), np.array([], dtype=object)
    is_trait = np.array([str(t).startswith(TRAIT_TOKEN) for t in names], dtype=bool)
    words = np.flatnonzero(~is_trait)
    vocabulary = {str(names[j]): i for i, j in enumerate(words)}
    # Entries named in the text join the entry's own column.
    named = np.flatnonzero(is_trait)
    cols = [index.trait_cols.get(int(str(names[j])[1:]), -1) for j in named]
    ok = [i for i, c in enumerate(cols) if c >= 0]
    project = sparse.csr_matrix((np.ones(len(ok), np.float32),
                                 ([i for i in ok], [cols[i] for i in ok])),
                                shape=(len(named), n_traits))
    tids = list(index.taxonomy)
    lexical = np.array([index.taxonomy[t]["kind"] != TraitKind.MOTIVATION for t in tids], bool)
    held = (index.strength > 0).astype(np.float32) @ sparse.diags(lexical.astype(np.float32))
    trait_counts = held + counts[:, named].tocsr() @ project
    full = sparse.hstack([counts[:, words].tocsr(), trait_counts], format="csr", dtype=np.float32)
    if full.nnz == 0:
        return
    transformer = TfidfTransformer(sublinear_tf=True)
    index.text = transformer.fit_transform(full).astype(np.float32).tocsr()
    index.lexicon = Lexicon(analyzer, vocabulary, index.trait_cols, transformer)


def _held_names(index: MemberIndex) -> list[str]:
    """Each person's skill and interest names, as text (the semantic extra reads them)."""
    tids = list(index.taxonomy)
    out = []
    for r in range(len(index.person_ids)):
        row = index.strength.getrow(r)
        out.append(" ; ".join(index.taxonomy[tids[c]]["name"] for c in row.indices.tolist()
                              if index.taxonomy[tids[c]]["kind"] != TraitKind.MOTIVATION))
    return out


def _contributions_into(index: MemberIndex, rows: list[tuple]) -> None:
    kind_col = {k: i for i, k in enumerate(KINDS)}
    if not rows:
        return
    positions = index.rows_of([row[0] for row in rows]).tolist()
    for r, (_, kind, count, last) in zip(positions, rows, strict=True):
        c = kind_col.get(kind)
        if r < 0 or c is None:
            continue
        index.contributions[r, c] += int(count)
        if last:
            last_day = last if isinstance(last, date) else date.fromisoformat(str(last)[:10])
            index.last_contribution[r] = max(int(index.last_contribution[r]), last_day.toordinal())



def clear_cache() -> None:
    """Forget the in-process indexes (tests; a bench measuring the cold path)."""
    with _LOCK:
        _CACHE.clear()
