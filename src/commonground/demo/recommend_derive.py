"""Next-best offering at the demo's first start: every person's suggestions computed through
the product's service from the seeded activities, with the offline evaluation kept on the
run (the page and the CLI show its figures)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from django_scopes import scope

from commonground.recommendations import services
from commonground.tenancy.models import Association


def derive(association: Association, *, today: date, say: Callable[[str], None]) -> dict[str, int]:
    started = time.perf_counter()
    with scope(association=association):
        run = services.recommendations_compute(association=association, evaluate=True)
    hit = run.evaluation.get("hit", {})
    figures = ""
    if hit:
        figures = (f"; hit@3 {hit['blend']['hit@3']:.3f} vs most popular "
                   f"{hit['popular']['hit@3']:.3f} on {run.evaluation['cases']} later take-ups")
    say(f"next-best offering: suggestions for {run.people} people{figures} "
        f"({time.perf_counter() - started:.1f} s)")
    return {"recommended_people": run.people}
