"""The allocation math, without the database: a period's pool split between the
participants of a shared service by its rule.

* ``equal``: every participant weighs 1;
* ``fixed``: each participant's percentage (they total exactly 100);
* ``members``: memberships active on the period's last day in each participant's books;
* ``usage``: activities of the rule's source (and kinds) in the period, per participant.

The pool is split with ``money.split_to_cents`` (largest remainder, ties to the earlier
participant: participants are always ordered by association id), so the amounts sum to
the pool to the cent. ``inputs_key`` hashes everything the split was computed from: the
same inputs give the same key, which is how a re-run finds the run it would repeat.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from commonground.core.errors import ValidationFailed

from .money import split_to_cents

HUNDRED = Decimal("100")
SHARE_PLACES = Decimal("0.000000001")


@dataclass(frozen=True)
class Participant:
    association_id: int
    slug: str
    name: str
    is_provider: bool


@dataclass(frozen=True)
class Part:
    participant: Participant
    basis: Decimal
    share: Decimal
    amount: Decimal


def percent_total_error(percents: Mapping[int, Decimal]) -> str | None:
    """Why these fixed percentages are refused, or None: each > 0, at most three places,
    totalling exactly 100."""
    if not percents:
        return "name a percentage for every participant"
    for value in percents.values():
        if value <= 0:
            return "every percentage must be more than 0"
        if value != value.quantize(Decimal("0.001")):
            return "at most 3 decimal places"
    total = sum(percents.values(), Decimal(0))
    if total != HUNDRED:
        return f"the percentages total {total.normalize():f}, not 100"
    return None


def weights(method: str, participants: Sequence[Participant], *,
            percents: Mapping[int, Decimal] | None = None,
            bases: Mapping[int, Decimal] | None = None) -> list[Decimal]:
    """Each participant's basis under the method, in the participants' order."""
    if method == "equal":
        return [Decimal(1) for _ in participants]
    if method == "fixed":
        percents = percents or {}
        missing = [p.name for p in participants if p.association_id not in percents]
        if missing:
            raise ValidationFailed(
                f"The rule has no percentage for {', '.join(missing)}",
                fields={"shares": [f"no percentage for {', '.join(missing)}"]})
        return [Decimal(percents[p.association_id]) for p in participants]
    bases = bases or {}
    return [Decimal(bases.get(p.association_id, 0)) for p in participants]


def split(pool: Decimal, participants: Sequence[Participant],
          basis: Sequence[Decimal]) -> list[Part]:
    """The pool split in proportion to the bases (to the cent, summing to the pool)."""
    if pool <= 0:
        raise ValidationFailed("The period has no costs to allocate: record its costs first",
                               fields={"pool": ["no costs recorded"]})
    total = sum(basis, Decimal(0))
    if total <= 0:
        raise ValidationFailed(
            "Nothing to allocate by: every participant's basis is zero for this period",
            fields={"basis": ["all zero"]})
    amounts = split_to_cents(pool, list(basis))
    return [Part(participant=p, basis=b, share=(b / total).quantize(SHARE_PLACES), amount=a)
            for p, b, a in zip(participants, basis, amounts, strict=True)]


def inputs_key(inputs: dict) -> str:
    """A stable hash of what a run was computed from."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
