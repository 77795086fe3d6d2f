"""Data-sharing pages under /a/<association>/sharing/: the agreements the association is a
party to (and those waiting for its approval), "Shared with us", one agreement's page
(terms, approvals, consents, revoke), the rows an agreement shares (recipient only, every
view logged for both parties), the CSV download (logged too) and the access log.

Another pair's agreement is a 404. Reading rows goes through
``crossing.sharing.shared_rows``: the page never touches the grantor's data itself.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commonground.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from commonground.core.forms import add_domain_errors, form_saved
from commonground.core.pagination import read_cursor
from commonground.tenancy import permissions
from commonground.tenancy.decorators import staff_view

from . import selectors_sharing as selectors
from . import sharing as registry
from .crossing import sharing as crossing
from .forms_sharing import ConsentForm, ProposeForm, ReasonForm
from .models import SharingAgreement
from .services import sharing as services

PAGE = 50


def _can(request: HttpRequest) -> dict[str, bool]:
    roles = request.staff_roles
    return {"govern": permissions.may_govern_collaboration(roles),
            "work": permissions.may_work_collaboration(roles)}


def _agreement(request: HttpRequest, agreement_id: int) -> SharingAgreement:
    try:
        return crossing.agreement_visible(association=request.association,
                                          agreement_id=agreement_id)
    except NotFound:
        raise Http404("No such agreement") from None


def _detail(request: HttpRequest, agreement: SharingAgreement):
    return redirect("agreement_detail", association=request.association.slug,
                    agreement_id=agreement.pk)


def _row(agreement: SharingAgreement, association) -> dict:
    """One agreement as the lists show it, from ``association``'s side."""
    now = crossing.state(agreement)
    granted = agreement.association_id == association.pk
    ours = agreement.grantor_approved_at if granted else agreement.recipient_approved_at
    return {"a": agreement, "state": now, "state_label": crossing.STATE_LABELS[now],
            "granted": granted, "partner": agreement.recipient if granted else
            agreement.association, "waiting_for_us": now == "proposed" and ours is None,
            "fields": registry.labels(agreement.record_kind, agreement.fields),
            "kind_label": getattr(registry.kind(agreement.record_kind), "label",
                                  agreement.record_kind)}


@staff_view
def agreement_list(request: HttpRequest) -> HttpResponse:
    rows = [_row(a, request.association) for a in crossing.agreements_of(request.association)]
    return render(request, "collaboration/sharing/list.html", {
        "waiting": [r for r in rows if r["waiting_for_us"]],
        "granted": [r for r in rows if r["granted"] and not r["waiting_for_us"]],
        "received": [r for r in rows if not r["granted"] and not r["waiting_for_us"]],
        "can": _can(request), "has_partners": bool(crossing.partners_of(request.association))})


@staff_view
def shared_with_us(request: HttpRequest) -> HttpResponse:
    rows = [_row(a, request.association)
            for a in crossing.agreements_of(request.association, side="received")]
    return render(request, "collaboration/sharing/received.html", {"rows": rows})


@staff_view
def agreement_new(request: HttpRequest) -> HttpResponse:
    partners = crossing.partners_of(request.association)
    form = ProposeForm(request.POST or None, partners=partners)
    made: list[SharingAgreement] = []

    def write() -> None:
        d = form.cleaned_data
        made.append(services.agreement_propose(
            association=request.association, partner=d["partner"], direction=d["direction"],
            title=d["title"], purpose=d["purpose"], record_kind=d["record_kind"],
            fields=list(d["fields"]), row_filter=d["row_filter"],
            consent_required=d["consent_required"], starts_on=d["starts_on"],
            expires_on=d["expires_on"], actor=request.user))

    if form_saved(request, form, write, success="Agreement proposed: it comes into force "
                                                "once the other side approves it."):
        return _detail(request, made[0])
    return render(request, "collaboration/sharing/form.html", {
        "form": form, "title": "Propose a data-sharing agreement", "partners": partners,
        "submit": "Propose the agreement",
        "back": reverse("agreement_list", kwargs={"association": request.association.slug})})


@staff_view
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    row = _row(agreement, request.association)
    context = {"r": row, "a": agreement, "can": _can(request),
               "refusal": crossing.refusal(agreement),
               "reads": crossing.read_log(association=request.association,
                                          agreement_id=agreement.pk, limit=10),
               "reads_total": crossing.reads_count(agreement),
               "reason_form": ReasonForm()}
    if row["granted"]:
        context["consents"] = selectors.consent_counts(agreement)
        context["reachable"] = crossing.reachable_count(agreement)
    return render(request, "collaboration/sharing/detail.html", context)


@staff_view
def agreement_approve(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    if request.method == "POST":
        try:
            agreement = services.agreement_approve(association=request.association,
                                                   agreement=agreement, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Approved: the agreement is in force."
                             if agreement.status == "active" else "Approved.")
    return _detail(request, agreement)


@staff_view
def agreement_revoke(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    form = ReasonForm(request.POST or None)
    if form_saved(request, form, lambda: services.agreement_revoke(
            association=request.association, agreement=agreement,
            reason=form.cleaned_data["reason"], actor=request.user),
            success="Revoked: nothing is shared through this agreement any more."):
        return _detail(request, agreement)
    return render(request, "collaboration/sharing/form.html", {
        "form": form, "title": f"Revoke “{agreement.title}”",
        "intro": "Revoking takes effect at once, for both associations.",
        "submit": "Revoke the agreement", "danger": True,
        "back": reverse("agreement_detail", kwargs={"association": request.association.slug,
                                                    "agreement_id": agreement.pk})})


def _refused(request: HttpRequest, agreement_id: int, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise Http404("No such agreement")
    status = 403 if isinstance(exc, PermissionDenied) else 409
    return render(request, "collaboration/sharing/refused.html", {
        "message": exc.message, "agreement_id": agreement_id}, status=status)


@staff_view
def shared_rows(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """One page of what the agreement shares; each view is a logged read."""
    cursor = request.GET.get("cursor") or None
    if cursor and read_cursor(cursor, size=2) is None:
        cursor = None
    try:
        page = crossing.shared_rows(agreement_id=agreement_id, recipient=request.association,
                                    reader=request.user, via="web", cursor=cursor, limit=PAGE)
    except (NotFound, Conflict, PermissionDenied) as exc:
        return _refused(request, agreement_id, exc)
    return render(request, "collaboration/sharing/rows.html", {
        "page": page, "a": page.agreement,
        "table": [[row[k] for k in page.fields] for row in page.rows]})


@staff_view
def shared_rows_csv(request: HttpRequest, agreement_id: int) -> HttpResponse:
    try:
        page = crossing.shared_rows_all(agreement_id=agreement_id,
                                        recipient=request.association, reader=request.user)
    except (NotFound, Conflict, PermissionDenied) as exc:
        return _refused(request, agreement_id, exc)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(page.labels)
    for row in page.rows:
        writer.writerow(["" if row[k] is None else row[k] for k in page.fields])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agreement-{agreement_id}.csv"'
    return response


@staff_view
def agreement_log(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    return render(request, "collaboration/sharing/log.html", {
        "a": agreement, "reads": crossing.read_log(association=request.association,
                                                   agreement_id=agreement.pk, limit=500)})


@staff_view
def agreement_consents(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The grantor's consents to one agreement, and recording one received offline."""
    agreement = _agreement(request, agreement_id)
    if agreement.association_id != request.association.pk:
        raise Http404("No such agreement")
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = selectors.person_for_consent(association=request.association,
                                              ref=form.cleaned_data["person"])
        try:
            if person is None:
                raise NotFound("No such member: give their email or id",
                               fields={"person": ["no member with this email or id"]})
            write = (services.consent_give if form.cleaned_data["answer"] == "give"
                     else services.consent_withdraw)
            write(association=request.association, agreement=agreement, person=person,
                  via="staff", actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("agreement_consents", association=request.association.slug,
                            agreement_id=agreement.pk)
    return render(request, "collaboration/sharing/consents.html", {
        "a": agreement, "form": form, "consents": selectors.consents_of(agreement),
        "counts": selectors.consent_counts(agreement), "can": _can(request)})
