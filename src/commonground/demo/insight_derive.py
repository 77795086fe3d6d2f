"""The demo's lapse-risk model: trained on the seeded history and every member scored, so
the at-risk page, the model card and the profile panels are alive at the first start.

Runs through insight's own service, as the weekly task would (the demo's "today" is the
seed's). On a 100-member test seed the history is short, and the service makes the
rule-based score instead — the card then says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from django_scopes import scope

from commonground.insight import services
from commonground.insight.models import Prediction
from commonground.tenancy.models import Association


def derive(association: Association, *, today: date, say: Callable[[str], None]) -> dict[str, int]:
    t0 = time.perf_counter()
    with scope(association=association):
        version = services.lapse_train(association=association, today=today)
        scored = Prediction.objects.filter(kind="lapse").count()
    card = version.card
    if version.method == "model":
        say(f"insight: lapse model v{version.version} on {card.get('n_train')} past decisions, "
            f"holdout AUC {card.get('auc')} (lift {card.get('top_decile_lift')}), "
            f"{scored} members scored in {time.perf_counter() - t0:.1f}s")
    else:
        say(f"insight: rule-based lapse score ({card.get('why_rules')}), {scored} members "
            f"scored in {time.perf_counter() - t0:.1f}s")
    return {"lapse_scored": scored}
