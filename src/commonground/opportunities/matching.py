"""Matching members to an opportunity on common ground: ranked, with reasons and gaps.

Every member gets a fit between 0 and 1 from these parts, each 0–1, weighed and
normalised over the parts that apply to the opportunity (an opportunity naming no
motivation does not reward or punish anyone on motivation):

========== ===== ===========================================================================
part       weight what
========== ===== ===========================================================================
skills     0.35  required skills held (proficiency / 5, a missing one counts 0), half as much
                 for nice-to-have ones, and the lexical match of the opportunity's words with
                 the member's (TF-IDF over skill and interest names, trait notes, contribution
                 and outcome titles; taxonomy synonyms fold into one token per entry)
experience 0.10  verified contributions of the kinds the opportunity calls for (talks for a
                 speaker, mentoring for a mentor…), up to three
motivation 0.20  the motivations it serves: the strongest one the member holds, and the mean
interest   0.08  the same for the interests it touches
engagement 0.10  the engagement score / 100 (scoring)
recency    0.07  how lately the member's last verified contribution was (a one-year decay)
availability 0.10 not asked this quarter (1), asked once (0.5), asked twice or holding two
                 accepted commitments (0)
location   0.10  same chapter, for an in-person opportunity tied to a chapter
========== ===== ===========================================================================

A trait counts once per person, from the best source: the member's own answer, else
staff's, else the inferred one (engagement's rule).

Speed: everything per person lives in a ``MemberIndex`` — NumPy arrays and SciPy sparse
matrices (people × traits, people × words), built in one read of the database and cached
in the process and on disk under ``DATA_DIR`` until what it was built from changes (the
signature: counts and last changes of people, traits, contributions, outcomes, and the
taxonomy itself). A match is then a few sparse matrix-vector products over all members
plus the live parts read fresh (scores, who was asked this quarter); only the top N get
their reasons written out.

Semantic matching (``semantic``) joins the lexical part when sentence-transformers and the
model are installed; never required.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from commonground.engagement.models import ContributionKind, Trait, TraitKind, TraitSource
from commonground.membership.lifecycle import LIVE
from commonground.people.models import Person
from commonground.tenancy.clock import association_today, association_zone
from commonground.tenancy.models import Association

from . import adapters, semantic, sql
from .models import Invitation, Opportunity, OpportunityType, TraitRole

log = logging.getLogger(__name__)

WEIGHTS = {"skills": 0.35, "experience": 0.10, "motivation": 0.20, "interest": 0.08,
           "engagement": 0.10, "recency": 0.07, "availability": 0.10, "location": 0.10}

# The contribution kinds that are experience for each type of opportunity.
EXPERIENCE_KINDS: dict[str, tuple[str, ...]] = {
    OpportunityType.SPEAKER: ("talk", "teaching"),
    OpportunityType.ARTICLE: ("article",),
    OpportunityType.MENTOR: ("mentoring",),
    OpportunityType.MODERATOR: ("moderating", "forum_answer"),
    OpportunityType.CHAPTER_HOST: ("chapter_leadership", "peer_group"),
    OpportunityType.EXPERT_CONSULTANT: ("expert_consult", "forum_answer"),
    OpportunityType.COMMITTEE_SEAT: ("committee", "chapter_leadership"),
    OpportunityType.COURSE: ("teaching", "talk"),
    OpportunityType.OTHER: (),
}
EXPERIENCE_GAP = {
    OpportunityType.SPEAKER: "no speaking experience yet",
    OpportunityType.ARTICLE: "no published articles yet",
    OpportunityType.MENTOR: "no mentoring experience yet",
    OpportunityType.MODERATOR: "no moderating experience yet",
    OpportunityType.CHAPTER_HOST: "no chapter leadership yet",
    OpportunityType.EXPERT_CONSULTANT: "no expert consultations yet",
    OpportunityType.COMMITTEE_SEAT: "no committee experience yet",
    OpportunityType.COURSE: "no teaching experience yet",
}
MOTIVATION_PHRASE = {
    "business_development": "wants to win clients",
    "visibility_reputation": "wants visibility",
    "competence_development": "wants to learn",
    "career_advancement": "wants to advance their career",
    "community_belonging": "wants community and belonging",
    "insider_access": "wants insider access",
    "giving_back": "wants to give back",
}
SOURCE_CODE = {TraitSource.MEMBER: 1, TraitSource.STAFF: 2, TraitSource.INFERRED: 3}
KINDS = [k.value for k in ContributionKind]
_STOP_WORDS = """a about all also an and any are as at be been but by can for from has have
how in into is it its more new not of on one or our out over per that the their them they
this those to up us we what when who will with within you your need needed needs looking
someone people member members help"""
STOP = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"[a-z0-9]+")
TRAIT_TOKEN = "§"  # prefix of the one token per taxonomy entry (never produced by WORD)


# ---------------------------------------------------------------- text

class Analyzer:
    """Words (lower case, no stop words) plus one token per taxonomy entry named in the
    text by its name or a synonym, so "public speaking" and "speaking" meet. Picklable."""

    def __init__(self, phrases: dict[str, str]) -> None:
        self.phrases = phrases
        self._pattern: re.Pattern | None = None

    def __getstate__(self) -> dict:
        return {"phrases": self.phrases}

    def __setstate__(self, state: dict) -> None:
        self.phrases, self._pattern = state["phrases"], None

    def __call__(self, text: str) -> list[str]:
        text = text.lower()
        tokens = [w for w in WORD.findall(text) if len(w) > 1 and w not in STOP]
        if self.phrases:
            if self._pattern is None:
                alternatives = sorted(self.phrases, key=len, reverse=True)
                self._pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, alternatives))
                                           + r")\b")
            tokens += [self.phrases[m.group(0)] for m in self._pattern.finditer(text)]
        return tokens


def _phrases(taxonomy: dict[int, dict]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tid, t in taxonomy.items():
        if t["kind"] == TraitKind.MOTIVATION:
            continue
        for phrase in [t["name"], *t["synonyms"]]:
            phrase = " ".join(WORD.findall(str(phrase).lower()))
            if phrase:
                out.setdefault(phrase, f"{TRAIT_TOKEN}{tid}")
    return out


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
    vectorizer: TfidfVectorizer | None
    text: sparse.csr_matrix | None  # people × vocabulary, TF-IDF rows (L2-normalised)
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


def _signature(association: Association, taxonomy: dict[int, dict]) -> tuple:
    digest = hashlib.sha1(repr(sorted(taxonomy.items())).encode()).hexdigest()
    return (association.pk, str(association.created_at), semantic.available(),
            *sql.index_signature(association_id=association.pk), digest)


def _path(association_id: int) -> Path:
    return Path(settings.DATA_DIR) / "opportunities" / f"member-index-{association_id}.pickle"


def _load(association_id: int) -> MemberIndex | None:
    path = _path(association_id)
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
    path = _path(index.association_id)
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
                        vectorizer=None, text=None)
    docs: list[list[str]] = [[] for _ in range(n)]
    _traits_into(index, sql.member_traits(association_id=aid), docs)
    _contributions_into(index, sql.contribution_counts(association_id=aid))
    texts = sql.member_texts(association_id=aid)
    if texts:
        rows = index.rows_of([t[0] for t in texts])
        for r, (_, text) in zip(rows.tolist(), texts, strict=True):
            if r >= 0 and text:
                docs[r].append(text)
    del texts
    joined = [" ; ".join(d) for d in docs]
    del docs
    vectorizer = TfidfVectorizer(analyzer=Analyzer(_phrases(taxonomy)), sublinear_tf=True,
                                 dtype=np.float32)
    try:
        index.text = vectorizer.fit_transform(joined).tocsr()
        index.vectorizer = vectorizer
    except ValueError:  # nobody has any words yet: no lexical part
        pass
    if semantic.available():
        index.docs = joined
    index.build_seconds = time.perf_counter() - started
    return index


def _traits_into(index: MemberIndex, rows: list[tuple], docs: list[list[str]]) -> None:
    if not rows:
        return
    pid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    tid = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    src = np.fromiter((SOURCE_CODE.get(r[2], 3) for r in rows), dtype=np.int8, count=len(rows))
    strength = np.fromiter((r[3] for r in rows), dtype=np.float32, count=len(rows))
    row = index.rows_of(pid)
    col = np.fromiter((index.trait_cols.get(int(t), -1) for t in tid), dtype=np.int64,
                      count=len(rows))
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
    # Skill and interest names join the member's words, so free text finds them too.
    tids = list(index.taxonomy)
    for r, c in zip(row.tolist(), col.tolist(), strict=True):
        t = index.taxonomy[tids[c]]
        if t["kind"] != TraitKind.MOTIVATION:
            docs[r].append(t["name"])


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


# ---------------------------------------------------------------- matching

@dataclass
class Spec:
    """What the engine reads of an opportunity."""

    id: int | None
    type: str
    text: str
    required: list[int]
    nice: list[int]
    motivations: list[int]
    interests: list[int]
    chapter_id: int | None
    chapter_name: str
    remote: bool

    @classmethod
    def of(cls, opportunity: Opportunity) -> Spec:
        roles: dict[str, list[int]] = {r.value: [] for r in TraitRole}
        names: list[str] = []
        for ot in opportunity.traits.select_related("trait").order_by("pk"):
            roles[ot.role].append(ot.trait_id)
            if ot.role != TraitRole.MOTIVATION:
                names += [ot.trait.name, *(str(s) for s in ot.trait.synonyms or [])]
        text = " ; ".join(x for x in (opportunity.title, opportunity.description,
                                      opportunity.required_text, opportunity.nice_text,
                                      *names) if x)
        chapter = opportunity.chapter
        return cls(id=opportunity.pk, type=opportunity.type, text=text,
                   required=roles[TraitRole.REQUIRED], nice=roles[TraitRole.NICE],
                   motivations=roles[TraitRole.MOTIVATION], interests=roles[TraitRole.INTEREST],
                   chapter_id=chapter.pk if chapter else None,
                   chapter_name=chapter.name if chapter else "", remote=opportunity.remote)


@dataclass
class Candidate:
    person_id: int
    fit: float
    parts: dict[str, float]
    reasons: list[str]
    gaps: list[str]
    name: str = ""
    email: str = ""

    @property
    def percent(self) -> int:
        return round(self.fit * 100)

    def as_dict(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "name": self.name, "fit": round(self.fit, 4),
                "parts": {k: round(v, 4) for k, v in self.parts.items()},
                "reasons": self.reasons, "gaps": self.gaps}


@dataclass
class MatchResult:
    opportunity_id: int | None
    candidates: list[Candidate]
    pool: int
    excluded: int
    seconds: float
    index_seconds: float
    semantic: bool
    weights: dict[str, float] = field(default_factory=dict)


@dataclass
class _Live:
    """The parts read fresh at every match (they change without the index knowing)."""

    engagement: np.ndarray
    asked: np.ndarray
    committed: np.ndarray
    today: date


def _quarter_start(association: Association, today: date) -> datetime:
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return datetime.combine(first, dtime.min, tzinfo=association_zone(association))


def _live(association: Association, index: MemberIndex) -> _Live:
    n = len(index.person_ids)
    engagement = np.zeros(n, dtype=np.float32)
    ids, totals = adapters.score_totals(association)
    if len(ids):
        rows = index.rows_of(ids)
        ok = rows >= 0
        engagement[rows[ok]] = np.clip(totals[ok] / 100.0, 0, 1)
    asked = np.zeros(n, dtype=np.int32)
    committed = np.zeros(n, dtype=np.int32)
    today = association_today(association)
    load = sql.invitation_load(association_id=association.pk,
                               since=_quarter_start(association, today))
    if load:
        rows = index.rows_of([r[0] for r in load])
        ok = rows >= 0
        asked[rows[ok]] = np.asarray([int(r[1] or 0) for r in load], dtype=np.int32)[ok]
        committed[rows[ok]] = np.asarray([int(r[2] or 0) for r in load], dtype=np.int32)[ok]
    return _Live(engagement, asked, committed, today)


def _trait_block(index: MemberIndex, trait_ids: list[int]) -> np.ndarray:
    """people × these traits, strength / 5; a trait nobody holds (or inactive) is zeros."""
    n = len(index.person_ids)
    cols = [index.trait_cols[t] for t in trait_ids if t in index.trait_cols]
    out = np.zeros((n, len(trait_ids)), dtype=np.float32)
    if cols:
        out[:, :len(cols)] = index.strength[:, cols].toarray() / 5.0
    return out


def _lexical(index: MemberIndex, spec: Spec) -> tuple[np.ndarray, sparse.csr_matrix | None]:
    n = len(index.person_ids)
    if index.vectorizer is None or index.text is None or not spec.text:
        return np.zeros(n, dtype=np.float32), None
    query = index.vectorizer.transform([spec.text])
    if query.nnz == 0:
        return np.zeros(n, dtype=np.float32), None
    sim = np.asarray((index.text @ query.T).todense()).ravel().astype(np.float32)
    extra = semantic.similarity(index, spec.text)
    if extra is not None:
        sim = 0.5 * sim + 0.5 * np.clip(extra, 0, 1)
    return sim, query


def score_all(association: Association, index: MemberIndex, spec: Spec) -> dict[str, Any]:
    """Every part, for every person in the index, as arrays; and the fit."""
    live = _live(association, index)
    n = len(index.person_ids)
    parts: dict[str, np.ndarray] = {}
    req, nice = _trait_block(index, spec.required), _trait_block(index, spec.nice)
    lex, query = _lexical(index, spec)
    top = float(lex.max()) if n else 0.0
    lex_n = lex / top if top > 0 else lex
    skill_terms, skill_w = [], 0.0
    if spec.required:
        skill_terms.append(0.5 * req.mean(axis=1))
        skill_w += 0.5
    if spec.nice:
        skill_terms.append(0.2 * nice.mean(axis=1))
        skill_w += 0.2
    if query is not None:
        skill_terms.append(0.3 * lex_n)
        skill_w += 0.3
    if skill_terms:
        parts["skills"] = sum(skill_terms) / skill_w
    kinds = [KINDS.index(k) for k in EXPERIENCE_KINDS.get(spec.type, ())]
    experience = index.contributions[:, kinds].sum(axis=1) if kinds else np.zeros(n, np.int32)
    if kinds:
        parts["experience"] = np.minimum(experience, 3) / 3.0
    if spec.motivations:
        mot = _trait_block(index, spec.motivations)
        parts["motivation"] = 0.7 * mot.max(axis=1) + 0.3 * mot.mean(axis=1)
    if spec.interests:
        interest = _trait_block(index, spec.interests)
        parts["interest"] = 0.7 * interest.max(axis=1) + 0.3 * interest.mean(axis=1)
    parts["engagement"] = live.engagement
    days = live.today.toordinal() - index.last_contribution
    parts["recency"] = np.where(index.last_contribution > 0,
                                np.exp(-np.maximum(days, 0) / 365.0), 0.0).astype(np.float32)
    availability = 1.0 - 0.5 * np.minimum(live.asked, 2)
    parts["availability"] = np.where(live.committed >= 2, 0.0, availability).astype(np.float32)
    if spec.chapter_id and not spec.remote:
        parts["location"] = (index.chapter_ids == spec.chapter_id).astype(np.float32)
    weights = {k: WEIGHTS[k] for k in parts}
    total_w = sum(weights.values())
    fit = sum(weights[k] * v for k, v in parts.items()) / total_w
    return {"fit": np.asarray(fit, dtype=np.float32), "parts": parts, "weights": weights,
            "lex": lex, "query": query, "live": live, "experience": experience,
            "required": req, "nice": nice}


def match(association: Association, opportunity: Opportunity, *, limit: int = 20,
          person_ids: list[int] | None = None, include_invited: bool = False) -> MatchResult:
    """The best ``limit`` candidates for the opportunity (or the given people's fits),
    highest fit first, ties by person id; people already invited (in any state) are left
    out unless ``include_invited``."""
    started = time.perf_counter()
    index = member_index(association)
    index_seconds = time.perf_counter() - started  # reading or (re)building the index
    spec = Spec.of(opportunity)
    scored = score_all(association, index, spec)
    fit = scored["fit"].copy()
    excluded = 0
    if not include_invited and opportunity.pk:
        already = list(Invitation.objects.filter(opportunity=opportunity)
                       .values_list("person_id", flat=True))
        rows = index.rows_of(already)
        rows = rows[rows >= 0]
        fit[rows] = -1.0
        excluded = len(rows)
    if person_ids is not None:
        rows = index.rows_of(person_ids)
        chosen = rows[rows >= 0]
    else:
        eligible = np.flatnonzero(fit > 0)
        if len(eligible) > limit:
            part = np.argpartition(-fit[eligible], limit - 1)[:limit]
            eligible = eligible[part]
        chosen = eligible
    order = np.lexsort((index.person_ids[chosen], -fit[chosen]))
    chosen = chosen[order][:limit] if person_ids is None else chosen[order]
    candidates = [_explain(index, spec, scored, int(r)) for r in chosen]
    _names(candidates)
    return MatchResult(opportunity_id=opportunity.pk, candidates=candidates,
                       pool=len(index.person_ids), excluded=excluded,
                       seconds=time.perf_counter() - started, index_seconds=index_seconds,
                       semantic=index.docs is not None, weights=scored["weights"])


def _names(candidates: list[Candidate]) -> None:
    if not candidates:
        return
    people = {p.pk: p for p in Person.objects.filter(pk__in=[c.person_id for c in candidates])
              .only("first_name", "last_name", "email")}
    for c in candidates:
        p = people.get(c.person_id)
        if p is not None:
            c.name = f"{p.first_name} {p.last_name}".strip() or p.email or f"#{p.pk}"
            c.email = p.email


# ---------------------------------------------------------------- reasons and gaps

def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


EXPERIENCE_PHRASE = {
    "talk": lambda n: f"spoke {_times(n)}",
    "article": lambda n: f"wrote {_plural(n, 'article')}",
    "teaching": lambda n: f"taught {_plural(n, 'course')}",
    "mentoring": lambda n: f"mentored {_times(n)}",
    "moderating": lambda n: f"moderated {_times(n)}",
    "chapter_leadership": lambda n: f"led chapter work {_times(n)}",
    "committee": lambda n: f"served on committees {_times(n)}",
    "forum_answer": lambda n: f"answered peers' questions {_times(n)}",
    "expert_consult": lambda n: f"consulted as an expert {_times(n)}",
    "peer_group": lambda n: f"organised {_plural(n, 'peer group')}",
    "volunteering": lambda n: f"volunteered {_times(n)}",
}


def motivation_phrase(slug: str, name: str) -> str:
    return MOTIVATION_PHRASE.get(slug, f"motivated by {name.lower()}")


def _held(index: MemberIndex, r: int) -> dict[int, tuple[float, int]]:
    """trait id → (strength, source code) for one row."""
    tids = list(index.taxonomy)
    s, src = index.strength.getrow(r), index.source.getrow(r)
    codes = dict(zip(src.indices.tolist(), src.data.tolist(), strict=True))
    return {tids[c]: (float(v), int(codes.get(c, 3)))
            for c, v in zip(s.indices.tolist(), s.data.tolist(), strict=True)}


def _explain(index: MemberIndex, spec: Spec, scored: dict[str, Any], r: int) -> Candidate:
    tax = index.taxonomy
    held = _held(index, r)
    live: _Live = scored["live"]
    reasons: list[str] = []
    gaps: list[str] = []
    # Motivations the opportunity serves that the member holds (3+ of 5).
    wanted = [(held[t][0], t) for t in spec.motivations if t in held and held[t][0] >= 3]
    for _, t in sorted(wanted, reverse=True)[:2]:
        text = motivation_phrase(tax[t]["slug"], tax[t]["name"])
        reasons.append(text + (" (inferred from activity)" if held[t][1] == 3 else ""))
    if spec.motivations and not wanted:
        own = [(v, t) for t, (v, _) in held.items() if tax[t]["kind"] == TraitKind.MOTIVATION]
        if own:
            best = tax[max(own)[1]]
            gaps.append(f"motivated more by {best['name'].lower()} than by what this offers")
        else:
            gaps.append("motivations unknown (no survey answer or activity yet)")
    # Experience: verified contributions of the kinds this calls for, then the biggest other.
    row = index.contributions[r]
    relevant = EXPERIENCE_KINDS.get(spec.type, ())
    done = [(int(row[KINDS.index(k)]), k) for k in relevant if row[KINDS.index(k)]]
    for n, k in done:
        reasons.append(EXPERIENCE_PHRASE.get(k, lambda n, k=k: f"{_plural(n, k)}")(n))
    if relevant and not done and spec.type in EXPERIENCE_GAP:
        gaps.append(EXPERIENCE_GAP[spec.type])
    # Expertise: skills held, then the words they share with the opportunity.
    skills = [(held[t][0], t) for t in [*spec.required, *spec.nice] if t in held]
    if skills:
        reasons.append("expertise: " + ", ".join(
            f"{tax[t]['name'].lower()} ({int(v)}/5)" for v, t in sorted(skills, reverse=True)[:3]))
    words, mentioned = _shared_words(index, scored["query"], r, exclude=set(held))
    if words:
        reasons.append("mentions " + ", ".join(words))
    for t in spec.required:
        if t not in held and t in tax:
            name = tax[t]["name"].lower()
            gaps.append(f"{name} mentioned but not listed as a skill" if t in mentioned
                        else f"no {name} on record")
    interests = [t for t in spec.interests if t in held and held[t][0] >= 3]
    if interests:
        reasons.append("interested in " + ", ".join(tax[t]["name"].lower() for t in interests[:2]))
    engagement = float(live.engagement[r])
    if engagement >= 0.5:
        reasons.append(f"highly engaged (score {round(engagement * 100)})")
    elif engagement == 0 and "engagement" in scored["weights"]:
        pass  # no score yet is not a gap worth showing
    if "location" in scored["parts"]:
        if index.chapter_ids[r] == spec.chapter_id:
            reasons.append(f"in the {spec.chapter_name} chapter")
        else:
            gaps.append(f"not in the {spec.chapter_name} chapter")
    asked, committed = int(live.asked[r]), int(live.committed[r])
    if committed >= 2:
        gaps.append(f"already committed to {committed} opportunities")
    if asked == 0:
        reasons.append("not asked this quarter")
    else:
        gaps.append(f"asked {_times(asked)} this quarter")
    if not index.live[r]:
        gaps.append("not a current member")
    parts = {k: float(v[r]) for k, v in scored["parts"].items()}
    return Candidate(person_id=int(index.person_ids[r]), fit=max(float(scored["fit"][r]), 0.0),
                     parts=parts, reasons=reasons, gaps=gaps)


def _shared_words(index: MemberIndex, query: sparse.csr_matrix | None, r: int, *,
                  exclude: set[int], top: int = 3) -> tuple[list[str], set[int]]:
    """The words (or taxonomy entries) that count most in the member's lexical match, and
    the taxonomy entries among them. An entry's own words are not repeated beside it."""
    if query is None or index.text is None or index.vectorizer is None:
        return [], set()
    doc = index.text.getrow(r)
    q = dict(zip(query.indices.tolist(), query.data.tolist(), strict=True))
    weights = sorted(((v * q[c], c) for c, v in zip(doc.indices.tolist(), doc.data.tolist(),
                                                    strict=True) if c in q), reverse=True)
    if not weights:
        return [], set()
    names = index.vectorizer.get_feature_names_out()
    entries: list[int] = []
    words: list[str] = []
    for _, c in weights:
        term = str(names[c])
        if term.startswith(TRAIT_TOKEN):
            tid = int(term[1:])
            if tid in index.taxonomy and tid not in exclude:
                entries.append(tid)
        else:
            words.append(term)
    covered = set()
    for tid in entries:
        t = index.taxonomy[tid]
        for phrase in [t["name"], *t["synonyms"]]:
            covered |= set(WORD.findall(phrase.lower()))
    out = [index.taxonomy[tid]["name"].lower() for tid in entries]
    out += [w for w in words if w not in covered]
    return out[:top], set(entries)


def fit_summary(candidate: Candidate) -> str:
    """One line: "72% — wants visibility; spoke twice; not asked this quarter"."""
    text = "; ".join(candidate.reasons) or "no particular reason"
    return f"{candidate.percent}% — {text}" + (f" (gaps: {'; '.join(candidate.gaps)})"
                                               if candidate.gaps else "")


def suggestions_for(association: Association, person: Person,
                    opportunities: list[Opportunity], *, threshold: float = 0.25
                    ) -> list[tuple[Opportunity, Candidate]]:
    """The open opportunities that fit this member best (fit ≥ ``threshold``), best first."""
    out = []
    for opportunity in opportunities:
        result = match(association, opportunity, person_ids=[person.pk], include_invited=True)
        if result.candidates and result.candidates[0].fit >= threshold:
            out.append((opportunity, result.candidates[0]))
    out.sort(key=lambda pair: (-pair[1].fit, pair[0].pk))
    return out


def clear_cache() -> None:
    """Forget the in-process indexes (tests; a bench measuring the cold path)."""
    with _LOCK:
        _CACHE.clear()


__all__ = ["WEIGHTS", "Candidate", "MatchResult", "MemberIndex", "Spec", "build_index",
           "clear_cache", "fit_summary", "match", "member_index", "motivation_phrase",
           "suggestions_for"]
