"""Scoring every member against one opportunity and ranking them."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

import numpy as np
from scipy import sparse

from commonground.people.models import Person
from commonground.tenancy.clock import association_today, association_zone
from commonground.tenancy.models import Association

from .. import adapters, semantic, sql
from ..models import Invitation, Opportunity
from .index import MemberIndex, member_index
from .reasons import explain
from .results import Candidate, Live, MatchResult, Spec
from .text import EXPERIENCE_KINDS, KINDS, WEIGHTS


def _quarter_start(association: Association, today: date) -> datetime:
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return datetime.combine(first, dtime.min, tzinfo=association_zone(association))


def _live(association: Association, index: MemberIndex, *, few: bool = False) -> Live:
    n = len(index.person_ids)
    engagement = np.zeros(n, dtype=np.float32)
    ids, totals = adapters.score_totals(
        association, person_ids=index.person_ids.tolist() if few else None)
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
    return Live(engagement, asked, committed, today)


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
    if index.lexicon is None or index.text is None or not spec.text:
        return np.zeros(n, dtype=np.float32), None
    query = index.lexicon.query(spec.text)
    if query.nnz == 0:
        return np.zeros(n, dtype=np.float32), None
    sim = np.asarray((index.text @ query.T).todense()).ravel().astype(np.float32)
    extra = semantic.similarity(index, spec.text)
    if extra is not None:
        sim = 0.5 * sim + 0.5 * np.clip(extra, 0, 1)
    return sim, query


def _view(index: MemberIndex, rows: np.ndarray) -> MemberIndex:
    """The index restricted to these rows (a few people: the portal's "suggested for me")."""
    return replace(index, person_ids=index.person_ids[rows], chapter_ids=index.chapter_ids[rows],
                   live=index.live[rows], strength=index.strength[rows],
                   source=index.source[rows], contributions=index.contributions[rows],
                   last_contribution=index.last_contribution[rows],
                   text=None if index.text is None else index.text[rows], docs=None)


def score_all(association: Association, index: MemberIndex, spec: Spec, *,
              lex_top: float | None = None, few: bool = False) -> dict[str, Any]:
    """Every part, for every person in the index, as arrays; and the fit. ``lex_top``: the
    best lexical match of the whole pool when ``index`` is a view of a few people."""
    live = _live(association, index, few=few)
    n = len(index.person_ids)
    parts: dict[str, np.ndarray] = {}
    req, nice = _trait_block(index, spec.required), _trait_block(index, spec.nice)
    lex, query = _lexical(index, spec)
    top = lex_top if lex_top is not None else (float(lex.max()) if n else 0.0)
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
          person_ids: list[int] | None = None, include_invited: bool = False,
          index: MemberIndex | None = None) -> MatchResult:
    """The best ``limit`` candidates for the opportunity (or the given people's fits),
    highest fit first, ties by person id; people already invited (in any state) are left
    out unless ``include_invited``. ``index``: one already checked (several matches in a row)."""
    started = time.perf_counter()
    index = index if index is not None else member_index(association)
    index_seconds = time.perf_counter() - started  # reading or (re)building the index
    spec = Spec.of(opportunity)
    if person_ids is not None:
        rows = index.rows_of(person_ids)
        rows = rows[rows >= 0]
        lex_top = float(_lexical(index, spec)[0].max()) if len(index.person_ids) else 0.0
        pool, index = len(index.person_ids), _view(index, rows)
        scored = score_all(association, index, spec, lex_top=lex_top, few=True)
        chosen = np.arange(len(rows))
    else:
        pool = len(index.person_ids)
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
    if person_ids is None:
        eligible = np.flatnonzero(fit > 0)
        if len(eligible) > limit:
            part = np.argpartition(-fit[eligible], limit - 1)[:limit]
            eligible = eligible[part]
        chosen = eligible
    order = np.lexsort((index.person_ids[chosen], -fit[chosen]))
    chosen = chosen[order][:limit] if person_ids is None else chosen[order]
    candidates = [explain(index, spec, scored, int(r)) for r in chosen]
    _names(candidates)
    _levels(association, candidates)
    return MatchResult(opportunity_id=opportunity.pk, candidates=candidates,
                       pool=pool, excluded=excluded,
                       seconds=time.perf_counter() - started, index_seconds=index_seconds,
                       semantic=index.docs is not None, weights=scored["weights"])


def _levels(association: Association, candidates: list[Candidate]) -> None:
    """"highly engaged (score 72)" gains the level's name: "(score 72, Leader)"."""
    marked = [c for c in candidates if any(r.startswith("highly engaged") for r in c.reasons)]
    if not marked:
        return
    levels = adapters.level_names_of(association, [c.person_id for c in marked])
    for c in marked:
        if c.person_id in levels:
            c.reasons = [r.replace(")", f", {levels[c.person_id]})", 1)
                         if r.startswith("highly engaged") else r for r in c.reasons]


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


def suggestions_for(association: Association, person: Person,
                    opportunities: list[Opportunity], *, threshold: float = 0.25
                    ) -> list[tuple[Opportunity, Candidate]]:
    """The open opportunities that fit this member best (fit ≥ ``threshold``), best first."""
    out = []
    index = member_index(association) if opportunities else None
    for opportunity in opportunities:
        result = match(association, opportunity, person_ids=[person.pk], include_invited=True,
                       index=index)
        if result.candidates and result.candidates[0].fit >= threshold:
            out.append((opportunity, result.candidates[0]))
    out.sort(key=lambda pair: (-pair[1].fit, pair[0].pk))
    return out
