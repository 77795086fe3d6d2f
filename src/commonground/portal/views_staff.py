"""The portal's staff page: giving a person a portal login (from the person's profile)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commonground.people.models import Person
from commonground.tenancy.decorators import staff_view

from .services import portal_access_grant


@staff_view
def portal_access(request: HttpRequest, person_id: int) -> HttpResponse:
    """Give the person a portal login (created or linked by email)."""
    slug = request.association.slug
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    if request.method != "POST":
        return redirect("person_detail", association=slug, person_id=person.pk)
    user, password = portal_access_grant(association=request.association, person=person,
                                         actor=request.user)
    portal_url = request.build_absolute_uri(reverse("portal:home", args=[slug]))
    return render(request, "portal/staff_access.html",
                  {"person": person, "login": user, "password": password,
                   "portal_url": portal_url})
