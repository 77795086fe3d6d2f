"""The words of matching: weights, phrases, the analyzer and lexicon (TF-IDF vocabulary)."""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from commonground.engagement.models import ContributionKind, TraitKind, TraitSource

from ..models import OpportunityType

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
    text by its name or a synonym, so "public speaking" and "speaking" meet. Phrases are
    found by looking up the text's 1- to 4-word runs in a dict (a regex of hundreds of
    alternatives costs ten times more over 10^5 texts). Picklable."""

    def __init__(self, phrases: dict[str, str]) -> None:
        self.phrases = phrases
        self.longest = max((p.count(" ") + 1 for p in phrases), default=0)
        # Only runs that start with a phrase's first word are looked up.
        self.starts = frozenset(p.split(" ", 1)[0] for p in phrases)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if "starts" not in state:
            self.starts = frozenset(p.split(" ", 1)[0] for p in self.phrases)

    def __call__(self, text: str) -> list[str]:
        if not text:
            return []
        words = WORD.findall(text.lower())
        tokens = [w for w in words if len(w) > 1 and w not in STOP]
        if self.phrases:
            found, longest, count = self.phrases, self.longest, len(words)
            for i, word in enumerate(words):
                if word not in self.starts:
                    continue
                for n in range(1, min(longest, count - i) + 1):
                    token = found.get(" ".join(words[i:i + n]))
                    if token is not None:
                        tokens.append(token)
        return tokens


class Lexicon:
    """The lexical space: the words of what members wrote (one column each) followed by
    one column per taxonomy entry (held as a skill or interest, or named in the text by a
    name or synonym), weighed by TF-IDF (scikit-learn, sublinear term frequency)."""

    def __init__(self, analyzer: Analyzer, vocabulary: dict[str, int], trait_cols: dict[int, int],
                 transformer: TfidfTransformer) -> None:
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self.trait_cols = trait_cols
        self.transformer = transformer
        self.n_words = len(vocabulary)
        self.features = [*sorted(vocabulary, key=vocabulary.get),
                         *(f"{TRAIT_TOKEN}{tid}" for tid in sorted(trait_cols, key=trait_cols.get))]

    def query(self, text: str) -> sparse.csr_matrix:
        counts: dict[int, int] = {}
        for token in self.analyzer(text):
            if token.startswith(TRAIT_TOKEN):
                col = self.trait_cols.get(int(token[1:]))
                col = None if col is None else self.n_words + col
            else:
                col = self.vocabulary.get(token)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        width = self.n_words + len(self.trait_cols)
        row = sparse.csr_matrix((np.asarray(list(counts.values()), dtype=np.float32),
                                 ([0] * len(counts), list(counts))), shape=(1, width),
                                dtype=np.float32)
        return self.transformer.transform(row).tocsr()


def phrases(taxonomy: dict[int, dict]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tid, t in taxonomy.items():
        if t["kind"] == TraitKind.MOTIVATION:
            continue
        for phrase in [t["name"], *t["synonyms"]]:
            phrase = " ".join(WORD.findall(str(phrase).lower()))
            if phrase:
                out.setdefault(phrase, f"{TRAIT_TOKEN}{tid}")
    return out
