"""The public badge URLs, served without login (outside /a/ and /m/): what an Open Badges
backpack or verifier fetches, and the public recognition page.

JSON-LD goes out as ``application/ld+json`` (``application/json`` when that is all the
client accepts, as the 2.0 spec says); a revoked assertion answers 410 Gone with
``revoked`` and the reason; anything unknown is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_scopes import scope, scopes_disabled

from commonground.tenancy.models import Association

from . import openbadges, selectors, services
from .models import Tier


def _jsonld(request: HttpRequest, doc: dict[str, Any], status: int = 200) -> HttpResponse:
    accept = request.headers.get("Accept", "")
    kind = "application/json" if ("application/json" in accept
                                  and "application/ld+json" not in accept) \
        else "application/ld+json"
    response = HttpResponse(json.dumps(doc, indent=2), status=status,
                            content_type=f"{kind}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # backpacks fetch from their own pages
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return _jsonld(request, {"error": "not found"}, status=404)


def _public(fn):
    """Open the association's scope; an unknown association is a JSON 404."""
    def wrapper(request: HttpRequest, association: str, **kwargs: Any) -> HttpResponse:
        with scopes_disabled():
            assoc = Association.objects.filter(slug=association).first()
        if assoc is None:
            return _not_found(request)
        with scope(association=assoc):
            request.association = assoc
            response = fn(request, assoc, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return require_safe(wrapper)


@_public
def issuer(request: HttpRequest, association: Association) -> HttpResponse:
    return _jsonld(request, openbadges.issuer_profile(services.issuer_get(association=association)))


@_public
def issuer_v3(request: HttpRequest, association: Association) -> HttpResponse:
    return _jsonld(request, openbadges.profile_v3(services.issuer_get(association=association)))


@_public
def keys(request: HttpRequest, association: Association) -> HttpResponse:
    """The issuer's public key as a JWK Set (the VC-JWT ``kid`` points here)."""
    doc = openbadges.jwks(services.issuer_get(association=association))
    response = HttpResponse(json.dumps(doc), content_type="application/jwk-set+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@_public
def badge_class(request: HttpRequest, association: Association, slug: str) -> HttpResponse:
    tier = Tier.objects.filter(slug=slug).first()
    if tier is None:
        return _not_found(request)
    return _jsonld(request, openbadges.badge_class(tier, services.issuer_get(association=association)))


@_public
def badge_image(request: HttpRequest, association: Association, slug: str) -> HttpResponse:
    tier = Tier.objects.filter(slug=slug).first()
    if tier is None:
        raise Http404("No such badge")
    response = HttpResponse(openbadges.badge_image_svg(tier), content_type="image/svg+xml")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@_public
def assertion(request: HttpRequest, association: Association, uuid: str) -> HttpResponse:
    award = selectors.award_by_uuid(uuid)
    if award is None:
        return _not_found(request)
    doc = openbadges.assertion(award, services.issuer_get(association=association))
    return _jsonld(request, doc, status=410 if award.revoked_at else 200)


@_public
def recognition_page(request: HttpRequest, association: Association) -> HttpResponse:
    """Members who chose to be shown, with their current badges."""
    return render(request, "recognition/public.html", {
        "association": association, "roll": selectors.public_roll(),
        "tiers": Tier.objects.filter(is_active=True)})
