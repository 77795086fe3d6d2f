"""The member's own pages: who is logged in as which person, for every app's portal views.

Here, low in the stack, so a domain app above people (engagement, opportunities,
recognition) can serve its member pages with the same rule the portal uses; the portal
re-exports both names.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django_scopes import scope, scopes_disabled

from commonground.tenancy.models import Association

from .models import Person


def portal_person(*, user, association: Association) -> Person | None:
    """The association's (not erased) person record of a logged-in user, if any."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user, erased_at__isnull=True).first()


def member_view(fn):
    """Run a portal view inside the association's scope, for the logged-in member only:
    ``request.association`` and ``request.person`` are set; anyone else gets a 404."""

    @functools.wraps(fn)
    def wrapper(request, association: str, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        with scopes_disabled():
            assoc = Association.objects.filter(slug=association).first()
        if assoc is None:
            raise Http404("No such association")
        with scope(association=assoc):
            person = portal_person(user=request.user, association=assoc)
            if person is None:
                raise Http404("No membership here")
            request.association = assoc
            request.person = person
            response = fn(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response

    return wrapper
