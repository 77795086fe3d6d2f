"""The member's "Sharing" page in the portal: which agreements of their association ask
to share their data with a partner association (what, with whom, why, until when), and
their yes or no to each — withdrawn at any time, effective at the partner's next read."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonground.core.errors import DomainError
from commonground.people.member_access import member_view

from . import selectors_sharing as selectors
from . import sharing as registry
from .services import sharing as services


@member_view
def sharing(request: HttpRequest) -> HttpResponse:
    items = selectors.consent_items(association=request.association, person=request.person)
    for item in items:
        item.labels = registry.labels(item.agreement.record_kind, item.agreement.fields)
    return render(request, "collaboration/portal/sharing.html", {"items": items})


@member_view
def sharing_consent(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.consentable_agreement(association=request.association,
                                                agreement_id=agreement_id)
    if agreement is None:
        raise Http404("No such agreement")
    slug = request.association.slug
    if request.method != "POST":
        return redirect("portal:sharing", association=slug)
    give = request.POST.get("answer") == "give"
    try:
        (services.consent_give if give else services.consent_withdraw)(
            association=request.association, agreement=agreement, person=request.person,
            via="portal", actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Thank you: you agreed to share with "
                                  f"{agreement.recipient.name}." if give else
                         f"Your consent is withdrawn: nothing more is shared with "
                         f"{agreement.recipient.name}.")
    return redirect("portal:sharing", association=slug)
