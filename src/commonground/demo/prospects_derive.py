"""The demo's prospects: the propensity-to-join model trained on the seeded history and
every non-member scored with it, through the product's own service — as the daily job
would — so the Prospects page and its model card are alive at the first start.

A seed too small to train on (the tests' 100-member seeds) gets the rule-based score,
labelled as such, with the reason and what is needed on its card.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from django_scopes import scope

from commonground.insight.prospects import selectors
from commonground.tenancy.models import Association


def derive(association: Association, *, today: date, say: Callable[[str], None]) -> dict[str, int]:
    # Here, not at the top: the services load LightGBM and scikit-learn, and every command
    # that imports the seed (demo, seed, bench) would pay for them at start-up.
    from commonground.insight.prospects import services

    t0 = time.perf_counter()
    with scope(association=association):
        version = services.prospects_train(association=association, today=today)
        scored = selectors.counts(association).total
    auc = version.card.get("auc")
    say(f"prospects: v{version.version} ({version.get_method_display().lower()}"
        f"{f', holdout AUC {auc:.3f}' if auc is not None else ''}), {scored} prospects scored "
        f"in {time.perf_counter() - t0:.1f}s")
    return {"prospects_scored": scored}
