"""The demo's consortium (issue 13): two allied associations seeded beside the demo one,
then collaboration and partnerships derived over all three through their services.

Each area fills its part in its own module, in this order (a later one may use what an
earlier one left in the shared ``CollaborationDemo``): consortia and a joint initiative,
shared services and their allocation periods, a data-sharing agreement, partnerships,
and joint products waiting for approval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import (
    approvals_derive,
    consortia_derive,
    partners_derive,
    services_derive,
    sharing_derive,
)
from .seed import seed_association, seeded

# slug, name, seed offset. Smaller than the demo association: a regional and a national
# sister society, each with its own members, history and activity.
ALLIES: tuple[tuple[str, str, int], ...] = (
    ("allied-health", "Allied Health Professionals Network", 1),
    ("regional-nurses", "Regional Nursing Guild", 2),
)


@dataclass
class CollaborationDemo:
    """What the collaboration steps share: the three associations, "today", and what each
    step made for the next ones (``made``: consortium, services, agreement…)."""

    demo: Association
    allies: list[Association]
    today: date
    say: Callable[[str], None]
    made: dict[str, Any] = field(default_factory=dict)

    @property
    def all(self) -> list[Association]:
        return [self.demo, *self.allies]


STEPS = (consortia_derive.derive, services_derive.derive, sharing_derive.derive,
         partners_derive.derive, approvals_derive.derive)


def allies_seed(*, members: int, seed: int, activities_per_member: float,
                say: Callable[[str], None]) -> list[Association]:
    """Seed the allied associations that are missing (a sixth of the demo's size each)."""
    out = []
    for slug, name, offset in ALLIES:
        if not seeded(slug):
            say(f"Seeding the allied association '{slug}'…")
            seed_association(slug=slug, name=name, members=max(30, members // 6),
                             seed=seed + offset, activities_per_member=activities_per_member)
        out.append(Association.objects.get(slug=slug))
    return out


def derive(*, demo: Association, allies: list[Association],
           say: Callable[[str], None]) -> dict[str, int]:
    """Run every collaboration step once; the counts of what each made."""
    state = CollaborationDemo(demo=demo, allies=allies, today=association_today(demo), say=say)
    counts: dict[str, int] = {}
    for step in STEPS:
        counts.update(step(state))
    return counts
