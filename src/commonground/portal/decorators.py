"""Portal views run inside the association's scope, for the logged-in member only."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django_scopes import scope, scopes_disabled

from commonground.tenancy.models import Association

from .selectors import portal_person


def member_view(fn):
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
