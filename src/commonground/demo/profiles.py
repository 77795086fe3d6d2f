"""The hidden member profile and the behaviour it drives (DOMAIN.md D4).

Each simulated member has an engagement level that drifts over time, a mix of
motivations and a career stage. Renewal, lateness, cancellation and reinstatement are
drawn from these, so lapse-risk and matching models built later have real signal to
find. The profile is ground truth for evaluation and is never stored in product tables.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .catalogue import CAREER_STAGE_P, CAREER_STAGES, MOTIVATIONS

# Effect of each motivation share on the log-odds of renewing. Belonging, giving back and
# insider access keep people; career and business motives are transactional and leave
# once the goal is met (DOMAIN.md D4).
MOTIVATION_EFFECT = {
    "business_development": -0.6, "visibility_reputation": 0.2, "competence_development": -0.3,
    "career_advancement": -0.9, "community_belonging": 1.4, "insider_access": 0.8,
    "giving_back": 1.6,
}
STAGE_EFFECT = {"student": -1.0, "early_career": -0.35, "mid_career": 0.2, "senior": 0.45,
                "retired": 0.0}
# Motivation leanings by career stage (multiplied into the Dirichlet draw).
STAGE_LEAN = {
    "student": {"competence_development": 2.5, "career_advancement": 2.0, "insider_access": 0.6,
                "business_development": 0.3, "giving_back": 0.4},
    "early_career": {"career_advancement": 2.2, "competence_development": 1.8,
                     "visibility_reputation": 1.2},
    "mid_career": {"business_development": 1.5, "visibility_reputation": 1.4,
                   "insider_access": 1.3},
    "senior": {"visibility_reputation": 1.6, "giving_back": 1.6, "business_development": 1.4,
               "career_advancement": 0.5},
    "retired": {"giving_back": 2.5, "community_belonging": 2.2, "career_advancement": 0.15,
                "business_development": 0.3},
}
BASE_LOGIT = 1.35


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass
class Profile:
    career_stage: str
    engagement: float  # at join, 0..1
    trend: float  # change in engagement per year of membership
    motivations: dict[str, float] = field(default_factory=dict)  # shares summing to 1

    @property
    def primary_motivation(self) -> str:
        return max(self.motivations, key=self.motivations.get)

    def engagement_at(self, years: float) -> float:
        return min(0.98, max(0.02, self.engagement + self.trend * years))

    @staticmethod
    def level(value: float) -> str:
        return "low" if value < 0.33 else "high" if value >= 0.66 else "medium"

    def renew_probability(self, *, term_index: int, years: float, employer_pays: bool = False
                          ) -> float:
        """Probability of renewing at the end of term ``term_index`` (0 = the first term)."""
        e = self.engagement_at(years)
        logit = BASE_LOGIT + 4.2 * (e - 0.45) + STAGE_EFFECT[self.career_stage]
        logit += 2.0 * sum(MOTIVATION_EFFECT[m] * w for m, w in self.motivations.items())
        logit += -0.55 if term_index == 0 else min(0.6, 0.15 * term_index)  # first-year churn
        if employer_pays:
            logit += 0.35
        return _sigmoid(logit)

    def renewal_lateness(self, rnd: random.Random, window: int, grace: int, years: float) -> int:
        """Days after the term end the renewal comes (negative: early). Engaged renew early."""
        e = self.engagement_at(years)
        days = int(round(rnd.gauss(-22 + 40 * (1 - e), 14)))
        return max(-window + 1, min(grace, days))

    def cancel_probability(self, years: float) -> float:
        return 0.003 + 0.014 * (1 - self.engagement_at(years))

    def reinstate_probability(self, years: float) -> float:
        return 0.08 + 0.35 * self.engagement_at(years) + 0.2 * (
            self.motivations["community_belonging"] + self.motivations["giving_back"])


def draw_profile(rnd: random.Random, *, stage: str | None = None) -> Profile:
    stage = stage or rnd.choices(CAREER_STAGES, weights=CAREER_STAGE_P)[0]
    lean = STAGE_LEAN[stage]
    raw = {m: rnd.gammavariate(0.7, 1.0) * lean.get(m, 1.0) for m in MOTIVATIONS}
    total = sum(raw.values()) or 1.0
    motivations = {m: round(v / total, 4) for m, v in raw.items()}
    engagement = rnd.betavariate(2.0, 2.4)
    # Most members drift slowly; one in five is clearly cooling off, one in ten warming up.
    roll = rnd.random()
    if roll < 0.2:
        trend = -rnd.uniform(0.06, 0.18)
    elif roll < 0.3:
        trend = rnd.uniform(0.04, 0.12)
    else:
        trend = rnd.gauss(0.0, 0.03)
    return Profile(career_stage=stage, engagement=round(engagement, 4), trend=round(trend, 4),
                   motivations=motivations)
