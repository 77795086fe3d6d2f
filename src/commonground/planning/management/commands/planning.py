"""The plan from the command line.

    commonground planning show --association SLUG [--plan ID] [--json]
    commonground planning flagged --association SLUG [--json]
    commonground planning plan --association SLUG --name NAME --starts DATE --ends DATE
        [--status draft|active|closed] [--id PLAN] --by EMAIL
    commonground planning why --association SLUG --question Q --text TEXT [--on DATE]
        [--plan ID] --by EMAIL
    commonground planning why --association SLUG --history [--question Q] [--plan ID]
    commonground planning goal --association SLUG --title TITLE --deadline DATE
        [--description TEXT] [--plan ID] [--id GOAL] --by EMAIL
    commonground planning objective --association SLUG --goal GOAL --title TITLE
        --metric KEY [--filter NAME=VALUE …] --target N --deadline DATE [--starts DATE]
        [--baseline N] [--direction up|down] [--side mission|business|both …]
        [--owner EMAIL:SIDE …] [--id OBJECTIVE] --by EMAIL
    commonground planning status OBJECTIVE --association SLUG --status S --by EMAIL

``--as`` names the staff member acting: what they may change follows their roles and
sides, as on the pages (the board writes the answers; administrators the plan and its
goals; staff the objectives of their side). ``--plan`` defaults to the current plan.
Questions: founded, field, future_wanted, future_avoided, ask_now. The metric keys are
``commonground kpis catalogue``'s.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.core.ids import parse_id
from commonground.tenancy.cli import association_named, refused, staff_named
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from ... import selectors, services
from ...models import Goal, Objective, PlanStatus, StrategicPlan, WhyQuestion

OPTIONS = {"starts_on": "--starts", "ends_on": "--ends", "written_on": "--on",
           "goal": "--goal", "sides": "--side", "owners": "--owner"}


def _num(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


class Command(BaseCommand):
    help = "Show the plan and its flagged objectives; write plans, answers, goals, objectives."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="The plan: answers, goals, objectives and progress")
        flagged = sub.add_parser("flagged", help="Active objectives off pace, worst first")
        plan = sub.add_parser("plan", help="Start a strategic plan or change one (--id)")
        plan.add_argument("--name", required=True)
        plan.add_argument("--starts", required=True, help="YYYY-MM-DD")
        plan.add_argument("--ends", required=True, help="YYYY-MM-DD")
        plan.add_argument("--status", choices=PlanStatus.values, default=PlanStatus.ACTIVE)
        plan.add_argument("--id", help="The plan to change")
        why = sub.add_parser("why", help="Write a new version of a board answer, or --history")
        why.add_argument("--question", choices=WhyQuestion.values)
        why.add_argument("--text")
        why.add_argument("--on", help="The day the board agreed it (default today)")
        why.add_argument("--history", action="store_true", help="List every version")
        goal = sub.add_parser("goal", help="Add a goal to the plan or change one (--id)")
        goal.add_argument("--title", required=True)
        goal.add_argument("--deadline", required=True, help="YYYY-MM-DD")
        goal.add_argument("--description", default="")
        goal.add_argument("--id", help="The goal to change")
        obj = sub.add_parser("objective", help="Add a joint objective or change one (--id)")
        obj.add_argument("--goal", required=True, help="The goal's id")
        obj.add_argument("--title", required=True)
        obj.add_argument("--description", default="")
        obj.add_argument("--metric", required=True, help="A catalogue key, e.g. membership.joins")
        obj.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE")
        obj.add_argument("--target", required=True)
        obj.add_argument("--deadline", required=True, help="YYYY-MM-DD")
        obj.add_argument("--starts", help="YYYY-MM-DD (default today)")
        obj.add_argument("--baseline", help="Default: the KPI on the start date (stock) or 0")
        obj.add_argument("--direction", choices=["up", "down"], default="up")
        obj.add_argument("--side", action="append", default=None,
                         choices=["mission", "business", "both"])
        obj.add_argument("--owner", action="append", default=None, metavar="EMAIL:SIDE")
        obj.add_argument("--id", help="The objective to change")
        status = sub.add_parser("status", help="Mark an objective achieved, missed, dropped "
                                               "or active")
        status.add_argument("objective")
        status.add_argument("--status", required=True,
                            choices=["active", "achieved", "missed", "dropped"])
        for p in (show, flagged, plan, why, goal, obj, status):
            p.add_argument("--association", required=True)
            p.add_argument("--json", action="store_true", dest="as_json")
        for p in (show, why, goal):
            p.add_argument("--plan", help="The plan's id (default: the current plan)")
        for p in (plan, why, goal, obj, status):
            p.add_argument("--by", dest="as_email", help="Email of the staff member acting")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options=OPTIONS) from None

    # ------------------------------------------------------------ helpers

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    @staticmethod
    def _actor(assoc: Association, email: str | None):
        if not email:
            raise CommandError("--by EMAIL: who is acting (their roles decide what they may "
                               "change)")
        return staff_named(assoc, email)

    @staticmethod
    def _one(model, ref: str | None, what: str):
        pk = parse_id(ref or "")
        found = model.objects.filter(pk=pk).first() if pk else None
        if found is None:
            raise CommandError(f"No {what} {ref!r}")
        return found

    def _plan_of(self, assoc: Association, ref: str | None) -> StrategicPlan:
        if ref:
            return self._one(StrategicPlan, ref, "plan")
        plan = selectors.current_plan(assoc)
        if plan is None:
            raise CommandError("No plan yet: start one with `commonground planning plan`.")
        return plan

    # ------------------------------------------------------------ reads

    def _show(self, assoc: Association, *, plan=None, as_json=False, **_: Any) -> None:
        p = self._plan_of(assoc, plan)
        p.association = assoc
        tree = selectors.plan_tree(p, association_today(assoc))
        payload = {"id": p.pk, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on,
                   "status": p.status,
                   "answers": {s.question: s.answer.text if s.answer else None
                               for s in tree.answers},
                   "goals": [{"id": g.goal.pk, "title": g.goal.title,
                              "deadline": g.goal.deadline,
                              "objectives": [self._objective_row(n) for n in g.objectives]}
                             for g in tree.goals]}
        lines = [f"{p.name} ({p.starts_on} – {p.ends_on}, {p.status})", ""]
        for s in tree.answers:
            lines.append(f"{s.label}\n  {s.answer.text if s.answer else '(not answered)'}")
        for g in tree.goals:
            lines += ["", f"Goal {g.goal.pk}: {g.goal.title} (by {g.goal.deadline})"]
            lines += [self._objective_line(n.objective, n.progress) for n in g.objectives] \
                or ["  (no objectives)"]
        self._say(payload, "\n".join(lines), as_json)

    @staticmethod
    def _objective_row(n) -> dict[str, Any]:
        o, p = n.objective, n.progress
        return {"id": o.pk, "title": o.title, "metric": o.metric, "filters": o.filters,
                "current_value": o.current_value, "current_on": o.current_on,
                "target": o.target, "deadline": o.deadline, "status": o.status,
                "state": p.state, "required_pace": p.required_pace,
                "owners": [[w.user.email, w.side] for w in n.owners]}

    @staticmethod
    def _objective_line(o: Objective, p) -> str:
        flag = "!" if p.flagged and o.status == "active" else " "
        return (f" {flag}{o.pk:>6}  {_num(o.current_value):>10} / {_num(o.target):<10} "
                f"by {o.deadline}  {p.label:<12} {o.title}  [{o.metric}]")

    def _flagged(self, assoc: Association, *, as_json=False, **_: Any) -> None:
        found = selectors.objectives_flagged(assoc, association_today(assoc))
        payload = [{"id": f.objective.pk, "title": f.objective.title, "state": f.state,
                    "goal": f.objective.goal.title, "current_value": f.objective.current_value,
                    "target": f.objective.target, "deadline": f.objective.deadline}
                   for f in found]
        text = "\n".join(self._objective_line(f.objective, f.progress) for f in found) \
            or "No objective is off pace."
        self._say(payload, text, as_json)

    # ------------------------------------------------------------ writes

    def _plan(self, assoc: Association, *, name, starts, ends, status, id=None,  # noqa: A002
              as_email=None, as_json=False, **_: Any) -> None:
        existing = self._one(StrategicPlan, id, "plan") if id else None
        p = services.strategic_plan_save(association=assoc, name=name, starts_on=starts,
                                         ends_on=ends, status=status, plan=existing,
                                         actor=self._actor(assoc, as_email))
        self._say({"id": p.pk, "name": p.name}, f"Saved plan {p.pk} “{p.name}”.", as_json)

    def _why(self, assoc: Association, *, question=None, text=None, on=None, history=False,
             plan=None, as_email=None, as_json=False, **_: Any) -> None:
        p = self._plan_of(assoc, plan)
        if history:
            rows = selectors.answer_history(p, question)
            payload = [{"question": a.question, "version": a.version, "written_on": a.written_on,
                        "by": a.written_by.email if a.written_by else None, "text": a.text}
                       for a in rows]
            lines = [f"{a.question} v{a.version} ({a.written_on}): {a.text}" for a in rows]
            self._say(payload, "\n".join(lines) or "No answers yet.", as_json)
            return
        if not question or text is None:
            raise CommandError("--question and --text are required (or --history)")
        a = services.why_answer_write(association=assoc, plan=p, question=question, text=text,
                                      written_on=on, actor=self._actor(assoc, as_email))
        self._say({"id": a.pk, "question": a.question, "version": a.version},
                  f"{a.get_question_display()} — version {a.version} ({a.written_on}).", as_json)

    def _goal(self, assoc: Association, *, title, deadline, description="", plan=None,
              id=None, as_email=None, as_json=False, **_: Any) -> None:  # noqa: A002
        existing = self._one(Goal, id, "goal") if id else None
        p = existing.plan if existing else self._plan_of(assoc, plan)
        g = services.goal_save(association=assoc, plan=p, title=title, deadline=deadline,
                               description=description, goal=existing,
                               actor=self._actor(assoc, as_email))
        self._say({"id": g.pk, "title": g.title}, f"Saved goal {g.pk} “{g.title}”.", as_json)

    def _objective(self, assoc: Association, *, goal, title, metric, target, deadline,
                   description="", filter=(), starts=None, baseline=None,  # noqa: A002
                   direction="up", side=None, owner=None, id=None,  # noqa: A002
                   as_email=None, as_json=False, **_: Any) -> None:
        filters: dict[str, str] = {}
        for item in filter:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"--filter {item!r}: write NAME=VALUE, e.g. plan=gold")
            filters[name.strip()] = value.strip()
        owners = None
        if owner is not None:
            owners = []
            for item in owner:
                email, sep, who = item.rpartition(":")
                if not sep:
                    raise CommandError(f"--owner {item!r}: write EMAIL:SIDE, e.g. "
                                       "ann@example.org:mission")
                owners.append((email.strip(), who.strip()))
        existing = self._one(Objective, id, "objective") if id else None
        o = services.objective_save(
            association=assoc, goal=self._one(Goal, goal, "goal"), title=title,
            description=description, metric=metric, filters=filters, target=target,
            deadline=deadline, starts_on=starts, baseline=baseline, direction=direction,
            sides=side, owners=owners, objective=existing, actor=self._actor(assoc, as_email))
        o.refresh_from_db()
        self._say({"id": o.pk, "title": o.title, "current_value": o.current_value,
                   "baseline": o.baseline},
                  f"Saved objective {o.pk} “{o.title}”: now {_num(o.current_value)}, "
                  f"baseline {_num(o.baseline)}, target {_num(o.target)} by {o.deadline}.",
                  as_json)

    def _status(self, assoc: Association, *, objective, status, as_email=None, as_json=False,
                **_: Any) -> None:
        o = services.objective_set_status(association=assoc,
                                          objective=self._one(Objective, objective, "objective"),
                                          status=status, actor=self._actor(assoc, as_email))
        self._say({"id": o.pk, "status": o.status}, f"Objective {o.pk} is {o.status}.", as_json)
