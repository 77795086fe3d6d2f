"""Joint decision pages: the list (open, waiting for which side, closed), propose (from a
meeting with ``?meeting=``), the decision's page (options, quorum progress per side,
positions with reasons unless hidden, the sign form for the sides you can sign for,
dissent, outcome, rounds, the audit trail, close and reopen), and the decision types
(administrators). Every action is a POST form calling one service; no JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors, form_saved
from commonground.core.ids import parse_id
from commonground.tenancy import permissions
from commonground.tenancy.decorators import staff_view

from . import selectors_decisions as sel
from . import services
from .forms_decisions import (
    OPTION_ROWS,
    CloseForm,
    DecisionTypeForm,
    ProposeForm,
    ReopenForm,
    SignForm,
    renamed,
)
from .models import Decision, DecisionStatus, DecisionType, Meeting

TABS = (("open", "Open"), ("approved", "Approved"), ("closed", "Rejected or withdrawn"))


def _to_detail(request: HttpRequest, decision: Decision):
    return redirect("decision_detail", association=request.association.slug,
                    decision_id=decision.pk)


def _flash_refusal(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, "; ".join([exc.message, *(m for ms in exc.fields.values()
                                                       for m in ms)]))


@staff_view
def decision_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status") if request.GET.get("status") in dict(TABS) else "open"
    qs = sel.decision_list()
    if tab == "closed":
        qs = qs.filter(status__in=(DecisionStatus.REJECTED, DecisionStatus.WITHDRAWN))
    else:
        qs = qs.filter(status=tab)
    decisions = sel.with_tallies(qs[:200])
    return render(request, "negotiation/decisions/list.html", {
        "decisions": decisions, "tab": tab, "tabs": TABS, "counts": sel.open_counts(),
        "may_propose": permissions.may_propose(request.staff_roles)})


@staff_view
def decision_new(request: HttpRequest) -> HttpResponse:
    association = request.association
    types = DecisionType.objects.filter(
        pk__in=[t.pk for t in services.decision_types_ensure(association=association)])
    rows = parse_id(request.POST.get("rows") or request.GET.get("rows") or "") or OPTION_ROWS
    if "more_rows" in request.POST:
        rows += 2
    initial: dict = {}
    meeting_id = parse_id(request.GET.get("meeting", ""))
    meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if meeting:
        initial["meeting"] = meeting.pk
    offering_id = parse_id(request.GET.get("offering", ""))
    if offering_id:
        initial["offering"] = offering_id
        initial["type"] = next((t.pk for t in types if t.key == "pricing"), None)
    bound = request.method == "POST" and "more_rows" not in request.POST
    form = ProposeForm(request.POST if request.method == "POST" else None, initial=initial,
                       types=types, rows=rows)
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_propose(
                association=association, type=data["type"], title=data["title"],
                body=data["body"], offering=data["offering"], meeting=data["meeting"],
                closes_on=data["closes_on"], hidden_positions=data["hidden_positions"]
                or data["type"].hide_positions, options=form.options(), actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, renamed(exc))
        else:
            messages.success(request, f"Decision “{decision.title}” proposed; both sides "
                                      "have been asked to sign.")
            return _to_detail(request, decision)
    elif request.method == "POST":
        form.errors.clear()  # "more rows" redisplays what was typed, without complaints
    return render(request, "negotiation/decisions/new.html", {
        "form": form, "meeting": meeting, "rows": form.rows,
        "may_propose": permissions.may_propose(request.staff_roles)})


@staff_view
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(
        Decision.objects.select_related("type", "offering", "meeting", "objective",
                                        "proposed_by", "chosen_option"), pk=decision_id)
    roles = request.staff_roles
    positions = sel.positions_of(decision)
    visible = sel.positions_visible(decision, positions, request.user)
    tally = sel.tally(decision)
    mine = sel.signed_this_round(decision, request.user)
    sides = [s for s in sorted(permissions.sides_of(roles))
             if decision.quorum.get(s, 0) > 0]
    can_sign = decision.status == DecisionStatus.OPEN and mine is None and bool(sides)
    manage = permissions.is_admin(roles) or decision.proposed_by_id == request.user.pk
    rounds: dict[int, list] = {}
    for p in visible:
        rounds.setdefault(p.round, []).append(p)
    history = sel.decision_history(decision)
    hidden = sel.hidden_now(decision)
    return render(request, "negotiation/decisions/detail.html", {
        "decision": decision, "tally": tally, "sides": list(tally.sides.values()),
        "rounds": sorted(rounds.items(), reverse=True), "hidden": hidden, "mine": mine,
        "dissent": [] if hidden else sel.dissent(decision, positions),
        "options": list(decision.options.all()),
        "sign_form": SignForm(decision=decision, sides=sides) if can_sign else None,
        "board_only": permissions.is_board_only(roles),
        "close_form": CloseForm() if manage and decision.status == DecisionStatus.OPEN
        else None,
        "reopen_form": ReopenForm() if manage and decision.status != DecisionStatus.APPROVED
        else None,
        "history": [e for e in history
                    if not (hidden and e.action == "decision.position_taken")],
        "hidden_entries": hidden and any(e.action == "decision.position_taken"
                                         for e in history)})


@staff_view
def decision_sign(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(Decision, pk=decision_id)
    if request.method != "POST":
        return _to_detail(request, decision)
    # Both sides parse here: the service, not the form, says who may sign for which.
    form = SignForm(request.POST, decision=decision, sides=list(permissions.BOTH_SIDES))
    if not form.is_valid():
        messages.error(request, "Choose a side and a position, and give your reason.")
        return _to_detail(request, decision)
    data = form.cleaned_data
    try:
        services.position_submit(association=request.association, decision=decision,
                                 actor=request.user, side=data["side"], stance=data["stance"],
                                 option=data["option"] or None, reason=data["reason"])
    except DomainError as exc:
        _flash_refusal(request, exc)
    else:
        decision.refresh_from_db()
        done = " The decision is approved." if decision.status == DecisionStatus.APPROVED \
            else ""
        messages.success(request, f"Your position is recorded.{done}")
    return _to_detail(request, decision)


@staff_view
def decision_close(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(Decision, pk=decision_id)
    form = CloseForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Choose reject or withdraw and say why.")
        else:
            try:
                services.decision_close(association=request.association, decision=decision,
                                        actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _flash_refusal(request, exc)
            else:
                messages.success(request, "The decision is closed; nothing took effect.")
    return _to_detail(request, decision)


@staff_view
def decision_reopen(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(Decision, pk=decision_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Say why the decision opens a new round.")
        else:
            try:
                d = services.decision_reopen(association=request.association, decision=decision,
                                             actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _flash_refusal(request, exc)
            else:
                messages.success(request, f"Round {d.round} is open; earlier positions stay "
                                          "on the record.")
    return _to_detail(request, decision)


@staff_view
def decision_type_list(request: HttpRequest) -> HttpResponse:
    types = services.decision_types_ensure(association=request.association)
    return render(request, "negotiation/decisions/types.html", {
        "types": types, "is_admin": permissions.is_admin(request.staff_roles)})


@staff_view(admin=True)
def decision_type_edit(request: HttpRequest, decision_type_id: int | None = None
                       ) -> HttpResponse:
    row = get_object_or_404(DecisionType, pk=decision_type_id) if decision_type_id else None
    initial = {k: getattr(row, k) for k in ("name", "description", "effect", "quorum_mission",
                                            "quorum_business", "hide_positions")} if row \
        else {"quorum_mission": 1, "quorum_business": 1, "effect": "none"}
    form = DecisionTypeForm(request.POST or None, initial=initial)
    if form_saved(request, form, lambda: services.decision_type_save(
            association=request.association, decision_type=row, actor=request.user,
            **form.cleaned_data), success="Decision type saved; open decisions keep the "
                                          "quorum they were opened with."):
        return redirect("decision_type_list", association=request.association.slug)
    return render(request, "negotiation/decisions/type_edit.html", {"form": form, "row": row})
