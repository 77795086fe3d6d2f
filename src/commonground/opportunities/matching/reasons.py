"""The plain reasons and gaps written for the top candidates."""

from __future__ import annotations

from typing import Any

from scipy import sparse

from commonground.engagement.models import TraitKind

from .index import MemberIndex
from .results import Candidate, Live, Spec
from .text import EXPERIENCE_GAP, EXPERIENCE_KINDS, KINDS, MOTIVATION_PHRASE, TRAIT_TOKEN, WORD


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


def explain(index: MemberIndex, spec: Spec, scored: dict[str, Any], r: int) -> Candidate:
    tax = index.taxonomy
    held = _held(index, r)
    live: Live = scored["live"]
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
    if query is None or index.text is None or index.lexicon is None:
        return [], set()
    doc = index.text.getrow(r)
    q = dict(zip(query.indices.tolist(), query.data.tolist(), strict=True))
    weights = sorted(((v * q[c], c) for c, v in zip(doc.indices.tolist(), doc.data.tolist(),
                                                    strict=True) if c in q), reverse=True)
    if not weights:
        return [], set()
    names = index.lexicon.features
    entries: list[int] = []
    words: list[str] = []
    quiet: list[int] = []  # entries already named elsewhere (held skills): their words too
    for _, c in weights:
        term = str(names[c])
        if term.startswith(TRAIT_TOKEN):
            tid = int(term[1:])
            if tid in index.taxonomy:
                (quiet if tid in exclude else entries).append(tid)
        else:
            words.append(term)
    covered = set()
    for tid in entries + quiet:
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
