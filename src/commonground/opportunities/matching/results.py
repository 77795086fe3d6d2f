"""What matching reads of an opportunity (``Spec``) and what it answers (``Candidate``,
``MatchResult``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from ..models import Opportunity, TraitRole

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
class Live:
    """The parts read fresh at every match (they change without the index knowing)."""

    engagement: np.ndarray
    asked: np.ndarray
    committed: np.ndarray
    today: date
