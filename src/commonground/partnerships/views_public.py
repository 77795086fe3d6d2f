"""Public pages under /partners/<association>/, served without login: the published joint
products with the credit each party earned, and the page a partner's approver opens from
the emailed link to approve a product or ask for changes.

An unknown association, product or link is a 404; a link that was used, or belongs to an
earlier version, says so plainly (404 too: a link never tells what else exists).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.tenancy.models import Association

from . import selectors_products as sel
from . import services_products as services
from .forms_products import PublicDecisionForm
from .models import ApprovalDecision


def _public(fn):
    """Open the scope of the association the URL names (Association is not scoped); an
    unknown one is a 404."""
    def wrapper(request: HttpRequest, association: str, **kwargs: Any) -> HttpResponse:
        assoc = Association.objects.filter(slug=association).first()
        if assoc is None:
            raise Http404("No such association")
        with scope(association=assoc):
            request.public_association = assoc
            response = fn(request, assoc, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@require_safe
@_public
def credit_index(request: HttpRequest, association: Association) -> HttpResponse:
    return render(request, "partnerships/public/index.html", {
        "association": association, "products": list(sel.published()[:200])})


@require_safe
@_public
def credit_page(request: HttpRequest, association: Association, slug: str) -> HttpResponse:
    product = sel.published_by_slug(slug)
    if product is None:
        raise Http404("No such published product")
    return render(request, "partnerships/public/credit.html", {
        "association": association, "product": product,
        "credits": list(product.credits.all())})


def _gone(request: HttpRequest, association: Association) -> HttpResponse:
    return render(request, "partnerships/public/link_invalid.html",
                  {"association": association}, status=404)


def _no_referrer(fn):
    """The link's token is in the path: never send it on to another site. "same-origin",
    not "no-referrer": the page's own form posts back here, and with no referrer at all
    the browser sends ``Origin: null``, which Django's CSRF check rightly refuses."""
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponse:
        response = fn(*args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@never_cache
@_no_referrer
@require_http_methods(["GET", "HEAD", "POST"])
@_public
def approval_link(request: HttpRequest, association: Association, token: str) -> HttpResponse:
    """GET shows the product (reading never uses the link up); POST decides, once."""
    found = services.approval_for_token(token)
    if found is None:
        return _gone(request, association)
    approval, contact = found
    form = PublicDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.approval_decide_by_link(
                association=association, token=token, decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"])
        except DomainError as exc:
            if exc.code == "not_found":
                return _gone(request, association)
            add_domain_errors(form, exc)
        else:
            return render(request, "partnerships/public/link_done.html", {
                "association": association, "approval": done, "contact": contact,
                "product": done.product,
                "approved": done.decision == ApprovalDecision.APPROVED})
    product = approval.product
    return render(request, "partnerships/public/approve.html", {
        "association": association, "approval": approval, "contact": contact,
        "product": product, "party": services.party_label(approval.party),
        "parties": sel.parties_of(product), "form": form})
