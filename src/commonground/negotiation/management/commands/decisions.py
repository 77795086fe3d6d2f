"""Joint decisions from the command line.

    commonground decisions list --association SLUG [--status open|approved|rejected|withdrawn] [--json]
    commonground decisions show ID --association SLUG [--by EMAIL] [--json]
    commonground decisions types --association SLUG [--json]
    commonground decisions type --association SLUG --by ADMIN-EMAIL --name NAME
        [--key KEY] [--quorum-mission N] [--quorum-business N] [--effect none|offering_price]
        [--hide-positions]
    commonground decisions propose --association SLUG --by EMAIL --type KEY --title TEXT
        [--body TEXT] [--offering ID] [--meeting ID]
        [--option "LABEL" | --option "LABEL=free" | --option "LABEL=member_price:30:80"
         | --option "LABEL=non_member_price:60"]… [--hidden] [--closes-on DATE] [--json]
    commonground decisions sign ID --association SLUG --by EMAIL --side mission|business
        --stance agree|abstain|disagree|block --reason TEXT [--option ID|LABEL] [--json]
    commonground decisions close ID --association SLUG --by EMAIL --status rejected|withdrawn
        --outcome TEXT
    commonground decisions reopen ID --association SLUG --by EMAIL --reason TEXT

``--by`` names the staff member acting: the sign-off is theirs, for a side they are on.
While a decision hides its positions, ``show`` prints only the viewer's own.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.core.ids import parse_id
from commonground.membership.models import Offering
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.cli import staff_named as staff_user

from ... import selectors_decisions as sel
from ... import services
from ...models import Decision, DecisionStatus, DecisionType, Meeting, Stance

OPTIONS = {"type": "--type", "closes_on": "--closes-on", "options": "--option",
           "decision_type": "--type"}


def _names(exc: DomainError) -> dict[str, str]:
    """How the refusal names each field: an option's as ``--option N (field)``."""
    names = dict(OPTIONS)
    for key in exc.fields:
        m = re.match(r"^options\.(\d+)\.(\w+)$", key)
        if m:
            names[key] = f"--option {int(m[1]) + 1} ({m[2]})"
    return names


def _option(text: str) -> dict[str, str]:
    """"Label", "Label=free", "Label=member_price:30:80", "Label=non_member_price:60"."""
    label, _, price = text.partition("=")
    if not price:
        return {"label": label.strip()}
    parts = price.split(":")
    out = {"label": label.strip(), "price_decision": parts[0].strip()}
    if parts[0].strip() == "member_price":
        out["member_price"] = parts[1] if len(parts) > 1 else ""
        out["non_member_price"] = parts[2] if len(parts) > 2 else ""
    elif len(parts) > 1:
        out["non_member_price"] = parts[1]
    return out


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: a date as YYYY-MM-DD") from None


def row(d: Decision) -> dict[str, Any]:
    return {"id": d.pk, "type": d.type.key, "title": d.title, "status": d.status,
            "round": d.round, "quorum": d.quorum, "waiting_for": getattr(d, "waiting", []),
            "offering_id": d.offering_id, "meeting_id": d.meeting_id,
            "chosen_option": d.chosen_option.label if d.chosen_option_id else None,
            "outcome": d.outcome,
            "effect_applied_at": d.effect_applied_at.isoformat() if d.effect_applied_at
            else None,
            "options": [{"id": o.pk, "label": o.label, "values": o.values}
                        for o in d.options.all()],
            "sides": {t.side: {"quorum": t.quorum, "signed": t.signed,
                               "signed_off": None if d.hidden else t.reached}
                      for t in d.tally.required}}


class Command(BaseCommand):
    help = "Joint decisions: list, show, propose, sign, close, reopen; decision types."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def cmd(name: str, text: str, *, target: bool = False, by: bool = True):
            p = sub.add_parser(name, help=text)
            if target:
                p.add_argument("decision", help="The decision's id")
            p.add_argument("--association", required=True)
            p.add_argument("--by", required=by, help="Email of the staff member acting")
            p.add_argument("--json", action="store_true", dest="as_json")
            return p

        lst = cmd("list", "The association's decisions", by=False)
        lst.add_argument("--status", choices=DecisionStatus.values)
        cmd("show", "One decision with its positions", target=True, by=False)
        cmd("types", "Kinds of decision and their quorum", by=False)
        typ = cmd("type", "Add or change a kind of decision (administrators)")
        typ.add_argument("--name", required=True)
        typ.add_argument("--key", default="")
        typ.add_argument("--quorum-mission", default="1")
        typ.add_argument("--quorum-business", default="1")
        typ.add_argument("--effect", default="none", choices=["none", "offering_price"])
        typ.add_argument("--hide-positions", action="store_true")
        typ.add_argument("--description", default="")
        prop = cmd("propose", "Put a decision to both sides")
        prop.add_argument("--type", required=True, dest="type_key",
                          help="pricing, schedule, appraisal, policy or your own key")
        prop.add_argument("--title", required=True)
        prop.add_argument("--body", default="")
        prop.add_argument("--offering", help="The offering whose price it sets")
        prop.add_argument("--meeting", help="The meeting it is proposed at")
        prop.add_argument("--option", action="append", default=[], dest="option_texts")
        prop.add_argument("--hidden", action="store_true", help="Hide positions until closed")
        prop.add_argument("--closes-on")
        sign = cmd("sign", "Take a position", target=True)
        sign.add_argument("--side", required=True, choices=["mission", "business"])
        sign.add_argument("--stance", required=True, choices=Stance.values)
        sign.add_argument("--reason", required=True)
        sign.add_argument("--option", help="The option's id or label (for agree)")
        close = cmd("close", "Reject or withdraw", target=True)
        close.add_argument("--status", required=True, choices=["rejected", "withdrawn"])
        close.add_argument("--outcome", required=True)
        reopen = cmd("reopen", "Open a new round", target=True)
        reopen.add_argument("--reason", required=True)

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            options["actor"] = staff_user(assoc, options.pop("by", None))
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options=_names(exc)) from None

    def _emit(self, data: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(data, default=str) if as_json else text)

    def _decision(self, value: str) -> Decision:
        pk = parse_id(value)
        found = Decision.objects.select_related("type", "chosen_option").filter(pk=pk).first() \
            if pk else None
        if found is None:
            raise CommandError(f"No decision {value!r} in this association")
        sel.with_tallies([found])
        return found

    def _line(self, d: Decision) -> str:
        waiting = f" waiting for {' and '.join(d.waiting)}" if d.waiting else ""
        return f"{d.pk:>6}  {d.status:<9} round {d.round}{waiting}  {d.title}"

    def _list(self, assoc, *, status=None, as_json=False, **_: Any) -> None:
        found = sel.with_tallies(sel.decision_list(status=status or "")
                                 .prefetch_related("options")[:500])
        if as_json:
            self._emit([row(d) for d in found], "", True)
            return
        self.stdout.write("\n".join(self._line(d) for d in found) or "No decisions.")

    def _show(self, assoc, *, decision: str, actor=None, as_json=False, **_: Any) -> None:
        d = self._decision(decision)
        positions = sel.positions_visible(d, sel.positions_of(d), actor)
        data = {**row(d), "positions": [
            {"round": p.round, "user": p.user.email, "side": p.side, "stance": p.stance,
             "option": p.option.label if p.option_id else None, "reason": p.reason}
            for p in positions]}
        if as_json:
            self._emit(data, "", True)
            return
        lines = [self._line(d)]
        lines += [f"  option {o['id']}: {o['label']}" for o in data["options"]]
        lines += [f"  {s}: {v['signed']} signed, quorum {v['quorum']}"
                  for s, v in data["sides"].items()]
        lines += [f"  round {p['round']} {p['user']} ({p['side']}): {p['stance']}"
                  f"{' ' + p['option'] if p['option'] else ''} — {p['reason']}"
                  for p in data["positions"]]
        if d.outcome:
            lines.append(f"  outcome: {d.outcome}")
        self.stdout.write("\n".join(lines))

    def _types(self, assoc, *, as_json=False, **_: Any) -> None:
        types = services.decision_types_ensure(association=assoc)
        data = [{"id": t.pk, "key": t.key, "name": t.name, "effect": t.effect,
                 "quorum": t.quorum(), "hide_positions": t.hide_positions} for t in types]
        self._emit(data, "\n".join(
            f"{t['key']:<16} mission {t['quorum']['mission']}, business "
            f"{t['quorum']['business']}  {t['name']}" for t in data), as_json)

    def _type(self, assoc, *, name, key, quorum_mission, quorum_business, effect,
              hide_positions, description, actor=None, as_json=False, **_: Any) -> None:
        services.decision_types_ensure(association=assoc)
        existing = DecisionType.objects.filter(key=key).first() if key else None
        t = services.decision_type_save(
            association=assoc, name=name, key=key, quorum_mission=quorum_mission,
            quorum_business=quorum_business, effect=effect, hide_positions=hide_positions,
            description=description, decision_type=existing, actor=actor)
        self._emit({"id": t.pk, "key": t.key, "quorum": t.quorum()},
                   f"Decision type {t.key}: mission {t.quorum_mission}, business "
                   f"{t.quorum_business}.", as_json)

    def _propose(self, assoc, *, type_key, title, body, offering, meeting, option_texts,
                 hidden, closes_on, actor=None, as_json=False, **_: Any) -> None:
        types = {t.key: t for t in services.decision_types_ensure(association=assoc)}
        if type_key not in types:
            raise CommandError(f"--type: one of {', '.join(sorted(types))}")
        found_offering = Offering.objects.filter(pk=parse_id(offering)).first() \
            if offering else None
        if offering and found_offering is None:
            raise CommandError(f"--offering: no offering {offering!r} in this association")
        found_meeting = Meeting.objects.filter(pk=parse_id(meeting)).first() if meeting else None
        if meeting and found_meeting is None:
            raise CommandError(f"--meeting: no meeting {meeting!r} in this association")
        d = services.decision_propose(
            association=assoc, type=types[type_key], title=title, body=body,
            options=[_option(t) for t in option_texts], offering=found_offering,
            meeting=found_meeting, hidden_positions=hidden or None,
            closes_on=_date(closes_on, "--closes-on"), actor=actor)
        d = self._decision(str(d.pk))
        self._emit(row(d), f"Decision {d.pk} proposed: {d.title}. Options: " + "; ".join(
            f"{o.pk} {o.label}" for o in d.options.all()), as_json)

    def _sign(self, assoc, *, decision, side, stance, reason, option=None, actor=None,
              as_json=False, **_: Any) -> None:
        d = self._decision(decision)
        chosen = None
        if option:
            chosen = next((o for o in d.options.all()
                           if str(o.pk) == option or o.label.lower() == option.lower()), None)
            if chosen is None:
                raise CommandError(f"--option: no option {option!r} on decision {d.pk}")
        services.position_submit(association=assoc, decision=d, actor=actor, side=side,
                                 stance=stance, option=chosen, reason=reason)
        d = self._decision(decision)
        self._emit(row(d), f"Position recorded. {self._line(d).strip()}", as_json)

    def _close(self, assoc, *, decision, status, outcome, actor=None, as_json=False,
               **_: Any) -> None:
        d = services.decision_close(association=assoc, decision=self._decision(decision),
                                    status=status, outcome=outcome, actor=actor)
        self._emit({"id": d.pk, "status": d.status}, f"Decision {d.pk} {d.status}.", as_json)

    def _reopen(self, assoc, *, decision, reason, actor=None, as_json=False, **_: Any) -> None:
        d = services.decision_reopen(association=assoc, decision=self._decision(decision),
                                     reason=reason, actor=actor)
        self._emit({"id": d.pk, "round": d.round}, f"Decision {d.pk}: round {d.round} open.",
                   as_json)
