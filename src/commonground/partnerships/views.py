"""Partnership staff pages: the list, a new partnership, its page (charter, stage and its
history, partners, stakeholders and the common ground, due diligence, the exchange case,
clauses, objectives, trust), a party's page (role, contacts, assets, responsibilities)
and a partner's page (sector, trust record). Every form is a plain POST to one service;
a refusal re-renders the page with the service's messages on the form's fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commonground.core.errors import DomainError, PermissionDenied
from commonground.core.forms import add_domain_errors
from commonground.core.ids import parse_id
from commonground.people.models import Organisation
from commonground.tenancy import permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import selectors, services
from .forms import (
    AssetForm,
    CharterForm,
    ClauseForm,
    CommonGroundForm,
    ContactForm,
    DutyForm,
    ExchangeForm,
    ObjectiveForm,
    PartnershipForm,
    PartyEditForm,
    PartyForm,
    RiskEditForm,
    RiskForm,
    SectorForm,
    StageForm,
    StakeholderForm,
    TrustForm,
)
from .models import (
    Clause,
    DiligenceRisk,
    ExchangeItem,
    PartnerAsset,
    PartnerContact,
    Partnership,
    PartnershipObjective,
    PartnershipParty,
    PartnershipStatus,
    Stage,
    Stakeholder,
)


def _may_write(request: HttpRequest) -> bool:
    return permissions.may_manage_partnerships(request.staff_roles)


def _url(name: str, request: HttpRequest, anchor: str = "", **kwargs: Any) -> str:
    return reverse(name, kwargs={"association": request.association.slug, **kwargs}) + (
        f"#{anchor}" if anchor else "")


def _party_of(partnership: Partnership, raw: Any, form: forms.Form, field: str,
              required: bool = True) -> PartnershipParty | None:
    """The party a choice names (of this partnership), or an error on the form's field."""
    pk = parse_id(str(raw or ""))
    party = PartnershipParty.objects.filter(partnership=partnership, pk=pk).first() if pk \
        else None
    if party is None and (required or raw):
        form.add_error(field, "choose one of this partnership's parties")
    return party


def _user(raw: Any):
    return parse_id(str(raw)) if raw else None


# ---------------------------------------------------------------- list and new


@staff_view
def partnership_list(request: HttpRequest) -> HttpResponse:
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    status = request.GET.get("status", "")
    status = status if status in PartnershipStatus.values else ""
    return render(request, "partnerships/list.html", {
        "partnerships": list(selectors.partnerships_list(stage=stage, status=status)[:500]),
        "stage": stage, "status": status, "stages": Stage.choices,
        "statuses": PartnershipStatus.choices,
        "today": association_today(request.association), "may_write": _may_write(request)})


@staff_view
def partnership_new(request: HttpRequest) -> HttpResponse:
    form = PartnershipForm(request.POST or None,
                           initial={"starts_on": association_today(request.association)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partnership = services.partnership_create(
                association=request.association, name=data["name"], why=data["why"],
                starts_on=data["starts_on"], ends_on=data["ends_on"],
                review_on=data["review_on"], partners=list(data["partners"]),
                our_role=data["our_role"], our_approver=_user(data["our_approver"]),
                actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"“{partnership.name}” started, at the obligational "
                                      "stage. Invite the stakeholders and record what each "
                                      "partner brings.")
            return redirect(_url("partnership_detail", request, partnership_id=partnership.pk))
    return render(request, "partnerships/new.html", {"form": form})


# ---------------------------------------------------------------- the partnership page


def _detail_forms(partnership: Partnership, page: selectors.PartnershipPage) -> dict[str, Any]:
    p = partnership
    return {
        "stage_form": StageForm(prefix="stage"),
        "party_form": PartyForm(prefix="party", partnership=p),
        "stakeholder_form": StakeholderForm(prefix="stakeholder"),
        "ground_form": CommonGroundForm(prefix="ground", initial={
            "common_ground": p.common_ground or page.common_ground_draft,
            "common_future": p.common_future}),
        "risk_form": RiskForm(prefix="risk", partnership=p),
        "exchange_form": ExchangeForm(prefix="exchange", partnership=p),
        "clause_form": ClauseForm(prefix="clause", partnership=p),
        "objective_form": ObjectiveForm(prefix="objective", partnership=p),
    }


def _detail(request: HttpRequest, partnership: Partnership, **bound: forms.Form
            ) -> HttpResponse:
    page = selectors.partnership_page(partnership,
                                      today=association_today(request.association))
    context = _detail_forms(partnership, page)
    context.update(bound)
    return render(request, "partnerships/detail.html", {
        "page": page, "p": partnership, "may_write": _may_write(request), **context})


@staff_view
def partnership_detail(request: HttpRequest, partnership_id: int) -> HttpResponse:
    return _detail(request, get_object_or_404(Partnership, pk=partnership_id))


def _posted(request: HttpRequest, partnership: Partnership, key: str, form: forms.Form,
            write: Callable[[dict], Any], success: str, anchor: str,
            prepare: Callable[[dict], dict] | None = None) -> HttpResponse:
    """One form of the partnership page: on a valid POST run ``write`` (one service call)
    and go back to its section; a refusal shows the page with the form's messages."""
    back = _url("partnership_detail", request, anchor, partnership_id=partnership.pk)
    if request.method != "POST":
        return redirect(back)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if prepare is not None:
            data = prepare(data)
        if not form.errors:
            try:
                write(data)
            except PermissionDenied as exc:  # the board: nothing to correct on the form
                messages.error(request, exc.message)
                return redirect(back)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, success)
                return redirect(back)
    messages.error(request, "Nothing was saved: please correct the highlighted fields.")
    return _detail(request, partnership, **{key: form})


@staff_view
def partnership_stage(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = StageForm(request.POST or None, prefix="stage")
    return _posted(request, p, "stage_form", form, lambda d: services.partnership_stage_change(
        association=request.association, partnership=p, stage=d["stage"], reason=d["reason"],
        on=d["on"], actor=request.user), "Stage changed; the history keeps the change.", "stage")


@staff_view
def partnership_common_ground(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = CommonGroundForm(request.POST or None, prefix="ground")
    return _posted(request, p, "ground_form", form,
                   lambda d: services.partnership_common_ground_write(
                       association=request.association, partnership=p,
                       common_ground=d["common_ground"], common_future=d["common_future"],
                       actor=request.user), "Common ground saved.", "stakeholders")


@staff_view
def partner_add(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = PartyForm(request.POST or None, prefix="party", partnership=p)
    return _posted(request, p, "party_form", form, lambda d: services.party_add(
        association=request.association, partnership=p, organisation=d["organisation"],
        organisation_name=d["organisation_name"], sector=d["sector"], role=d["role"],
        responsibilities=d["responsibilities"], is_lead=d["is_lead"], actor=request.user),
        "Partner added.", "partners")


@staff_view
def stakeholder_add(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = StakeholderForm(request.POST or None, prefix="stakeholder")
    return _posted(request, p, "stakeholder_form", form, lambda d: services.stakeholder_save(
        association=request.association, partnership=p, actor=request.user, **d),
        "Stakeholder recorded.", "stakeholders")


@staff_view
def diligence_risk_add(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = RiskForm(request.POST or None, prefix="risk", partnership=p)

    def prepare(d: dict) -> dict:
        d["party"] = _party_of(p, d["party"], form, "party")
        pk = parse_id(str(d["asset"] or ""))
        d["asset"] = PartnerAsset.objects.filter(pk=pk, party__partnership=p).first() \
            if pk else None
        if pk and d["asset"] is None:
            form.add_error("asset", "choose one of this partnership's assets")
        return d

    return _posted(request, p, "risk_form", form, lambda d: services.risk_add(
        association=request.association, partnership=p, actor=request.user, **d),
        "Risk recorded.", "diligence", prepare)


@staff_view
def exchange_item_add(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = ExchangeForm(request.POST or None, prefix="exchange", partnership=p)

    def prepare(d: dict) -> dict:
        d["party"] = _party_of(p, d["party"], form, "party")
        return d

    return _posted(request, p, "exchange_form", form, lambda d: services.exchange_item_add(
        association=request.association, partnership=p, actor=request.user, **d),
        "Added to the exchange case.", "exchange", prepare)


@staff_view
def clause_add(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = ClauseForm(request.POST or None, prefix="clause", partnership=p)

    def prepare(d: dict) -> dict:
        d["party"] = _party_of(p, d["party"], form, "party", required=False)
        return d

    return _posted(request, p, "clause_form", form, lambda d: services.clause_add(
        association=request.association, partnership=p, actor=request.user, **d),
        "Clause added.", "clauses", prepare)


@staff_view
def partnership_objective_add(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = ObjectiveForm(request.POST or None, prefix="objective", partnership=p)

    def prepare(d: dict) -> dict:
        d["owner"] = _party_of(p, d["owner"], form, "owner", required=False)
        return d

    return _posted(request, p, "objective_form", form, lambda d: services.objective_add(
        association=request.association, partnership=p, actor=request.user, **d),
        "Objective added.", "objectives", prepare)


def _remove(request: HttpRequest, obj: Any, write: Callable[[], Any], success: str,
            anchor: str) -> HttpResponse:
    back = _url("partnership_detail", request, anchor, partnership_id=obj.partnership_id)
    if request.method == "POST":
        try:
            write()
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
    return redirect(back)


@staff_view
def exchange_item_remove(request: HttpRequest, exchange_item_id: int) -> HttpResponse:
    item = get_object_or_404(ExchangeItem, pk=exchange_item_id)
    return _remove(request, item, lambda: services.exchange_item_remove(
        association=request.association, item=item, actor=request.user),
        "Removed from the exchange case.", "exchange")


@staff_view
def clause_remove(request: HttpRequest, clause_id: int) -> HttpResponse:
    clause = get_object_or_404(Clause, pk=clause_id)
    return _remove(request, clause, lambda: services.clause_remove(
        association=request.association, clause=clause, actor=request.user),
        "Clause removed.", "clauses")


@staff_view
def partnership_objective_status(request: HttpRequest, partnership_objective_id: int
                                 ) -> HttpResponse:
    objective = get_object_or_404(PartnershipObjective, pk=partnership_objective_id)
    status = request.POST.get("status", "")
    return _remove(request, objective, lambda: services.objective_set_status(
        association=request.association, objective=objective, status=status,
        actor=request.user), "Objective updated.", "objectives")


# ---------------------------------------------------------------- pages of their own


def _edit_page(request: HttpRequest, template: str, form: forms.Form,
               write: Callable[[dict], Any], success: str, back: str,
               context: dict[str, Any]) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            write(form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(back)
    return render(request, template, {"form": form, **context})


@staff_view
def partnership_edit(request: HttpRequest, partnership_id: int) -> HttpResponse:
    p = get_object_or_404(Partnership, pk=partnership_id)
    form = CharterForm(request.POST or None, initial={
        "name": p.name, "why": p.why, "starts_on": p.starts_on, "ends_on": p.ends_on,
        "review_on": p.review_on, "status": p.status, "manager": p.manager_id or ""})
    return _edit_page(request, "partnerships/edit.html", form, lambda d: services.partnership_update(
        association=request.association, partnership=p, name=d["name"], why=d["why"],
        starts_on=d["starts_on"], ends_on=d["ends_on"], review_on=d["review_on"],
        status=d["status"], manager=_user(d["manager"]), actor=request.user),
        "Charter saved.", _url("partnership_detail", request, partnership_id=p.pk), {"p": p})


@staff_view
def stakeholder_edit(request: HttpRequest, stakeholder_id: int) -> HttpResponse:
    s = get_object_or_404(Stakeholder.objects.select_related("partnership"), pk=stakeholder_id)
    form = StakeholderForm(request.POST or None, initial={
        "name": s.name, "kind": s.kind, "organisation": s.organisation_id,
        "invited_on": s.invited_on, "took_part": s.took_part, "view": s.view,
        "shares_common_ground": s.shares_common_ground})
    return _edit_page(request, "partnerships/stakeholder.html", form,
                      lambda d: services.stakeholder_save(
                          association=request.association, partnership=s.partnership,
                          stakeholder=s, actor=request.user, **d),
                      "Stakeholder saved.",
                      _url("partnership_detail", request, "stakeholders",
                           partnership_id=s.partnership_id), {"s": s, "p": s.partnership})


@staff_view
def diligence_risk_edit(request: HttpRequest, risk_id: int) -> HttpResponse:
    r = get_object_or_404(DiligenceRisk.objects.select_related("partnership",
                                                              "party__organisation", "asset"),
                          pk=risk_id)
    form = RiskEditForm(request.POST or None, initial={
        "status": r.status, "likelihood": r.likelihood, "impact": r.impact,
        "mitigation": r.mitigation})
    return _edit_page(request, "partnerships/risk.html", form, lambda d: services.risk_update(
        association=request.association, risk=r, actor=request.user, **d),
        "Risk reassessed.", _url("partnership_detail", request, "diligence",
                                 partnership_id=r.partnership_id),
        {"r": r, "p": r.partnership, "score": r.likelihood * r.impact,
         "level": selectors.risk_level(r.likelihood * r.impact)})


def _party_page(request: HttpRequest, party: PartnershipParty, **bound: forms.Form
                ) -> HttpResponse:
    context = {"edit_form": PartyEditForm(prefix="edit", party=party, initial={
        "role": party.role, "responsibilities": party.responsibilities,
        "is_lead": party.is_lead, "left_on": party.left_on,
        "approver_user": party.approver_user_id or ""}),
        "contact_form": ContactForm(prefix="contact"), "asset_form": AssetForm(prefix="asset"),
        "duty_form": DutyForm(prefix="duty")}
    context.update(bound)
    return render(request, "partnerships/party.html", {
        "party": party, "p": party.partnership, "contacts": list(party.contacts.all()),
        "assets": list(party.assets.all()), "duties": list(party.duties.all()),
        "may_write": _may_write(request), **context})


def _party(party_id: int) -> PartnershipParty:
    return get_object_or_404(PartnershipParty.objects.select_related(
        "partnership", "organisation", "approver_user"), pk=party_id)


def _party_posted(request: HttpRequest, party: PartnershipParty, key: str, form: forms.Form,
                  write: Callable[[dict], Any], success: str) -> HttpResponse:
    back = _url("partner_party", request, party_id=party.pk)
    if request.method != "POST":
        return redirect(back)
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, exc.message)
            return redirect(back)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(back)
    messages.error(request, "Nothing was saved: please correct the highlighted fields.")
    return _party_page(request, party, **{key: form})


@staff_view
def partner_party(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _party(party_id)
    if request.method != "POST":
        return _party_page(request, party)
    form = PartyEditForm(request.POST, prefix="edit", party=party)

    def write(d: dict) -> Any:
        if party.is_us:
            d["approver_user"] = _user(d["approver_user"])
        return services.party_update(association=request.association, party=party,
                                     actor=request.user, **d)

    return _party_posted(request, party, "edit_form", form, write, "Role saved.")


@staff_view
def partner_contact_add(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _party(party_id)
    form = ContactForm(request.POST or None, prefix="contact")
    return _party_posted(request, party, "contact_form", form,
                         lambda d: services.partner_contact_add(
                             association=request.association, party=party,
                             actor=request.user, **d), "Contact added.")


@staff_view
def partner_contact_approver(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(PartnerContact, pk=contact_id)
    if request.method == "POST":
        try:
            services.partner_contact_set_approver(
                association=request.association, contact=contact,
                is_approver=request.POST.get("is_approver") == "1", actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            verb = "approves" if contact.is_approver else "no longer approves"
            messages.success(request, f"{contact.name} {verb} joint products.")
    return redirect(_url("partner_party", request, party_id=contact.party_id))


@staff_view
def partner_asset_add(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _party(party_id)
    form = AssetForm(request.POST or None, prefix="asset")
    return _party_posted(request, party, "asset_form", form, lambda d: services.asset_add(
        association=request.association, party=party, actor=request.user, **d),
        "Asset recorded.")


@staff_view
def partner_duty_add(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _party(party_id)
    form = DutyForm(request.POST or None, prefix="duty")
    return _party_posted(request, party, "duty_form", form,
                         lambda d: services.responsibility_add(
                             association=request.association, party=party,
                             actor=request.user, **d), "Responsibility assigned.")


# ---------------------------------------------------------------- the partner (organisation)


def _partner_page(request: HttpRequest, organisation: Organisation, **bound: forms.Form
                  ) -> HttpResponse:
    context = {"trust_form": TrustForm(prefix="trust", organisation=organisation,
                                       initial={"occurred_on":
                                                association_today(request.association)}),
               "sector_form": SectorForm(prefix="sector",
                                         initial={"sector": organisation.sector})}
    context.update(bound)
    return render(request, "partnerships/partner.html", {
        "page": selectors.partner_page(organisation), "org": organisation,
        "may_write": _may_write(request), **context})


@staff_view
def partner_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _partner_page(request, get_object_or_404(Organisation, pk=organisation_id))


def _partner_posted(request: HttpRequest, organisation: Organisation, key: str,
                    form: forms.Form, write: Callable[[dict], Any], success: str
                    ) -> HttpResponse:
    back = _url("partner_detail", request, organisation_id=organisation.pk)
    if request.method != "POST":
        return redirect(back)
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, exc.message)
            return redirect(back)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(back)
    messages.error(request, "Nothing was saved: please correct the highlighted fields.")
    organisation.refresh_from_db()
    return _partner_page(request, organisation, **{key: form})


@staff_view
def trust_event_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=organisation_id)
    form = TrustForm(request.POST or None, prefix="trust", organisation=org)
    return _partner_posted(request, org, "trust_form", form,
                           lambda d: services.trust_event_record(
                               association=request.association, organisation=org,
                               actor=request.user, **d), "Added to the trust record.")


@staff_view
def partner_sector(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=organisation_id)
    form = SectorForm(request.POST or None, prefix="sector")
    return _partner_posted(request, org, "sector_form", form,
                           lambda d: services.partner_sector_change(
                               association=request.association, organisation=org,
                               sector=d["sector"], actor=request.user), "Sector changed.")
