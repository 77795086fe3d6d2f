"""The random holdout: which members of an outreach list are held back.

The draw is reproducible from its seed (recorded on the list) and the members' ids, so
anyone can check it afterwards: people are sorted by id within their stratum (the lapse
risk band when predictions exist, else one stratum), each stratum is shuffled by a
``random.Random`` seeded with the list's seed and the stratum's name, and the first of each
shuffled stratum are held back. How many: cumulative rounding across the strata (the
running total held back is always ``round(share × people so far)``), so the list as a
whole holds back exactly its share, rounded, and each stratum within one person of its
own share — the bands are balanced between the groups, which a draw over the whole list
leaves to chance. Pure: no Django.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

CONTACT, HOLDOUT = "contact", "holdout"
NO_STRATUM = ""


def _round(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_HALF_UP))


def draw(strata: Mapping[str, Sequence[int]], *, percent: int | Decimal, seed: int
         ) -> dict[int, str]:
    """person id → ``contact`` | ``holdout`` for the people of every stratum."""
    share = Decimal(percent) / 100
    groups: dict[int, str] = {}
    seen = held = 0
    for name in sorted(strata):
        ids = sorted(set(strata[name]))
        random.Random(f"{seed}:{name}").shuffle(ids)
        seen += len(ids)
        take = _round(share * seen) - held
        held += take
        for i, pid in enumerate(ids):
            groups[pid] = HOLDOUT if i < take else CONTACT
    return groups
