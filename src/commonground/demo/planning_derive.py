"""The demo's integrated plan and spaces of negotiation (issue 12, seeds 000 and 002),
through the services of the planning and negotiation apps: the board's five answers (two
rewritten once), two goals with six joint objectives on live metrics and their history,
two past regulation meetings with minutes, decisions and action items (some done, some
overdue and carried to the next meeting), an upcoming meeting with its agenda drafted from
the data, the operations manual in two versions traced to the meetings, an open pricing
decision the business side signed and the mission side has not, appraisals (one complete,
one waiting for the mission side), the balance view's metrics, costs and snapshots.

Targets are set from each metric's live value so that, whatever the seed, most objectives
are on pace and one is flagged. Skipped when the association already has a plan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth import get_user_model
from django_scopes import scope

from commonground.core import metrics
from commonground.membership.models import Offering
from commonground.negotiation import services as ns
from commonground.negotiation.models import ActionItem
from commonground.planning import services as ps
from commonground.planning.balance import services as balance
from commonground.planning.kpis import kpi_history_fill
from commonground.planning.models import StrategicPlan
from commonground.tenancy.clock import association_zone
from commonground.tenancy.models import Association

from .steps import staff_email

ANSWERS = {
    "founded": ("Practitioners founded us in 1987 to share what works and to speak for the "
                "profession.",
                "Practitioners founded us to share what works and speak for the profession. "
                "Since then the field went digital and our members learn and meet online as "
                "much as in chapters."),
    "field": (None, "Employers fund less training; certification and public trust matter more; "
                    "younger practitioners join communities before associations."),
    "future_wanted": ("A profession that sets its own standards.",
                      "A profession that sets its own standards, with a community every new "
                      "practitioner finds in their first year, paid for by services members "
                      "value."),
    "future_avoided": (None, "An association that sells courses and forgets its mission, or "
                             "one that serves its mission and cannot pay for it."),
    "ask_now": (None, "Which of our free offerings create the most value, and how do we pay "
                      "for them without pricing out the people they serve?"),
}

# (goal, title, metric, filters, owners (local part, side), pace): "ahead" / "on" are on
# track, "behind" is the flagged one.
OBJECTIVES = [
    (0, "Web and social traffic", "activity.web", {}, (("marketing", "business"),
                                                       ("community", "mission")), "ahead"),
    (0, "New prospects identified", "people.prospects_identified", {},
     (("marketing", "business"), ("community", "mission")), "on"),
    (0, "Lapsed members renewed", "membership.reinstatements", {},
     (("director", "business"), ("volunteers", "mission")), "behind"),
    (0, "New members closed", "membership.joins", {},
     (("director", "business"), ("community", "mission")), "on"),
    (1, "Volunteers engaged", "engagement.volunteers_engaged", {},
     (("volunteers", "mission"), ("director", "business")), "on"),
    (1, "Advocacy actions taken", "activity.advocacy_actions", {},
     (("community", "mission"), ("marketing", "business")), "ahead"),
]
PACE = {"ahead": Decimal("0.8"), "on": Decimal("0.97"), "behind": Decimal("2.5")}
COSTS = (("annual-conference", "180000"), ("certification-prep-course", "24000"),
         ("online-member-forum", "36000"), ("regional-chapter-meetups", "18000"),
         ("policy-action-center", "30000"))
MANUAL = (
    "Each trimester the mission side (community, volunteers, standards, advocacy) and the "
    "business side (membership, marketing, events, education) meet. The agenda is drafted "
    "from the data; anyone adds items. Minutes go to everyone concerned within a week.",
    "Each trimester the mission side and the business side meet in a regulation meeting. "
    "The agenda is drafted from the data; anyone adds items. Minutes go to everyone "
    "concerned within a week.\n\nA new offering's price is a joint decision: free, member "
    "price or one price for everyone. It needs one signature from each side; each side "
    "writes its reasons, and dissent stays on the record.",
)


def _users(association: Association) -> dict[str, object]:
    by_email = {u.email.lower(): u for u in get_user_model().objects.filter(
        email__iendswith=f"@{association.slug}.example.org")}
    return {local: by_email.get(staff_email(association.slug, local).lower())
            for local in ("executive", "director", "marketing", "community", "volunteers",
                          "board")}


def _at(association, day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), association_zone(association))


def _target(association, metric_key: str, start: date, deadline: date, today: date,
            pace: str) -> Decimal:
    """A target the live value meets at ``pace`` (flows: the total so far scaled to the
    whole period; stocks: +10 %)."""
    metric, query = metrics.validate(association=association, metric_key=metric_key,
                                     filters={}, start=start, end=today)
    value = Decimal(metric.compute(association, query) or 0)
    if metric.kind == "stock":
        return (value * Decimal("1.1") * (PACE[pace] if pace == "behind" else 1)).quantize(
            Decimal("1"), rounding=ROUND_CEILING)
    share = Decimal((today - start).days) / Decimal((deadline - start).days)
    return max(Decimal("4"), (value / share * PACE[pace]).quantize(Decimal("1"),
                                                                   rounding=ROUND_CEILING))


def derive(association: Association, *, today: date,
           say: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    with scope(association=association):
        if StrategicPlan.objects.exists():
            return {"planning": 0}
        u = _users(association)
        if any(v is None for v in u.values()):
            say("planning: demo staff missing, skipped")
            return {"planning": 0}
        counts = _plan(association, today, u)
        counts.update(_negotiation(association, today, u, counts.pop("_objectives")))
        counts.update(_balance(association, today))
    say("planning: plan with 5 answers, {goals} goals, {objectives} objectives; {meetings} "
        "meetings, {decisions} decisions, {actions} action items; balance {snapshots} "
        "snapshots".format(**counts))
    return {k: v for k, v in counts.items() if not k.startswith("_")}


def _plan(association, today: date, u) -> dict:
    start = today - timedelta(days=120)
    december = date(today.year if today.month < 12 else today.year + 1, 12, 31)
    plan = ps.strategic_plan_save(association=association, name=f"Strategic plan {today.year}",
                                  starts_on=start, ends_on=december, actor=u["executive"])
    for question, (first, current) in ANSWERS.items():
        if first:
            ps.why_answer_write(association=association, plan=plan, question=question,
                                text=first, written_on=start, actor=u["board"])
        ps.why_answer_write(association=association, plan=plan, question=question,
                            text=current, written_on=start + timedelta(days=first and 60 or 0),
                            actor=u["board"])
    goals = [ps.goal_save(association=association, plan=plan, title="+10 % members by December",
                          deadline=december, description="The common goal of membership and "
                          "marketing (seed 002), with the community's help.",
                          actor=u["executive"]),
             ps.goal_save(association=association, plan=plan,
                          title="A community that acts for the profession", deadline=december,
                          description="The mission side's goal: volunteers and advocacy.",
                          actor=u["executive"])]
    objectives = []
    for position, (g, title, key, filters, owners, pace) in enumerate(OBJECTIVES):
        target = _target(association, key, start, december, today, pace)
        obj = ps.objective_save(association=association, goal=goals[g], title=title, metric=key,
                                filters=filters, starts_on=start, deadline=december,
                                target=target, sides=["mission", "business"],
                                owners=[(u[local], side) for local, side in owners],
                                position=position, actor=u["executive"])
        kpi_history_fill(association=association, objective=obj, through=today)
        objectives.append(obj)
    return {"goals": len(goals), "objectives": len(objectives), "_objectives": objectives}


def _negotiation(association, today: date, u, objectives) -> dict:
    mission = [(u["community"], "mission"), (u["volunteers"], "mission")]
    business = [(u["director"], "business"), (u["marketing"], "business")]
    series = ns.series_save(association=association, name="Regulation meeting",
                            cadence="trimester", purpose="Mission and business side together",
                            participants=mission + business, actor=u["executive"])
    manual = ns.manual_page_save(association=association, title="How the two sides work together",
                                 actor=u["executive"])
    types = {t.key: t for t in ns.decision_types_ensure(association=association)}
    decisions = actions = 0
    past = []
    for n, days_ago in enumerate((150, 60)):
        day = today - timedelta(days=days_ago)
        meeting = ns.meeting_schedule(association=association,
                                      title=f"Regulation meeting, {day:%-d %b %Y}",
                                      starts_at=_at(association, day), series=series,
                                      participants=mission + business, actor=u["director"])
        ns.agenda_draft(association=association, meeting=meeting, today=day, actor=u["director"])
        ns.agenda_item_add(association=association, meeting=meeting,
                           title="Free or paid: the offerings with a high social imprint",
                           body="The balance view's paradox quadrant.", actor=u["community"])
        if n == 0:
            done = ns.action_item_add(association=association, title="Publish the volunteer "
                                      "calendar", owner=u["volunteers"], due_on=day + timedelta(days=30),
                                      meeting=meeting, objective=objectives[4], actor=u["director"])
            ns.action_item_complete(association=association, item=done, actor=u["volunteers"])
            ns.action_item_add(association=association, title="Call every member who lapsed "
                               "this year", owner=u["director"], due_on=day + timedelta(days=45),
                               meeting=meeting, objective=objectives[2], actor=u["director"])
            schedule = ns.decision_propose(association=association, type=types["schedule"],
                                           title="Chapter meetup calendar for the next trimester",
                                           meeting=meeting, actor=u["community"])
            for user, side in ((u["community"], "mission"), (u["director"], "business")):
                ns.position_submit(association=association, decision=schedule, actor=user,
                                   side=side, stance="agree",
                                   reason="Works for the chapters and for the events team.")
            decisions += 1
        else:
            ns.action_item_add(association=association, title="Draft a sponsorship package for "
                               "the forum", owner=u["marketing"], due_on=day + timedelta(days=40),
                               meeting=meeting, actor=u["director"])
            ns.action_item_add(association=association, title="Recruit ten new advocacy "
                               "volunteers", owner=u["community"], due_on=today + timedelta(days=20),
                               meeting=meeting, objective=objectives[5], actor=u["director"])
        items = list(meeting.agenda.all())
        ns.minutes_record(association=association, meeting=meeting,
                          minutes=("Both sides reviewed the objectives and the balance view. "
                                   "The forum stays free; the sides disagree on how to fund it."),
                          notes={items[0].pk: "Discussed; see the action items."} if items else None,
                          actor=u["director"])
        ns.manual_revise(association=association, page=manual, body=MANUAL[n],
                         summary="First version" if n == 0 else "Joint pricing decisions",
                         meeting=meeting, actor=u["director"])
        past.append(meeting)
        actions += 2
    # The open pricing decision: the business side signed, the mission side has not.
    course = Offering.objects.filter(slug="leadership-academy").first() or Offering.objects.first()
    pricing = ns.decision_propose(
        association=association, type=types["pricing"], meeting=past[-1],
        title=f"Price of {course.name} next year", offering=course, actor=u["director"],
        body="Free to members widens its reach; a member price keeps it paying for itself.",
        options=[{"label": "Free", "price_decision": "free"},
                 {"label": "Member price", "price_decision": "member_price",
                  "member_price": "300", "non_member_price": "1200"},
                 {"label": "One price for everyone", "price_decision": "non_member_price",
                  "member_price": "0", "non_member_price": "1200"}])
    member_price = next(o for o in pricing.options.all() if o.label == "Member price")
    ns.position_submit(association=association, decision=pricing, actor=u["director"],
                       side="business", stance="agree", option=member_price,
                       reason="It covers the faculty; members still pay a quarter.")
    decisions += 1
    upcoming = ns.meeting_schedule(association=association,
                                   title=f"Regulation meeting, {today + timedelta(days=21):%-d %b %Y}",
                                   starts_at=_at(association, today + timedelta(days=21)),
                                   series=series, participants=mission + business,
                                   actor=u["director"])
    ns.agenda_draft(association=association, meeting=upcoming, today=today, actor=u["director"])
    # Appraisals: one with both sides' input and completed, one waiting for the mission side.
    done = ns.dual_form_create(association=association, kind="appraisal",
                               title="Appraisal: Marco Alvarez", subject_user=u["marketing"],
                               actor=u["executive"])
    ns.dual_input_submit(association=association, form=done, side="mission",
                         body="Brought the community into the campaigns.", actor=u["community"])
    ns.dual_input_submit(association=association, form=done, side="business",
                         body="Prospects up; conversion still low.", actor=u["director"])
    ns.dual_form_complete(association=association, form=done,
                          summary="Strong year; shared objective on conversion.",
                          actor=u["executive"])
    waiting = ns.dual_form_create(association=association, kind="appraisal",
                                  title="Appraisal: Grace Okafor", subject_user=u["volunteers"],
                                  actor=u["executive"])
    ns.dual_input_submit(association=association, form=waiting, side="business",
                         body="Volunteer events ran on budget.", actor=u["director"])
    overdue = ActionItem.objects.filter(due_on__lt=today, status="open").count()
    return {"meetings": 3, "decisions": decisions, "actions": actions,
            "overdue_actions": overdue, "appraisals": 2}


def _balance(association, today: date) -> dict:
    balance.balance_defaults_apply(association=association)
    start = today.replace(day=1) - timedelta(days=365)
    for slug, amount in COSTS:
        offering = Offering.objects.filter(slug=slug).first()
        if offering is not None:
            balance.offering_cost_record(association=association, offering=offering,
                                         period_start=start.replace(day=1),
                                         period_end=today, amount=amount,
                                         note="Delivery cost, last twelve months")
    return {"snapshots": balance.balance_snapshots_take(association=association, today=today)}
