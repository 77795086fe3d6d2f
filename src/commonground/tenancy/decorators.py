"""Views run inside the scope of the association named in the URL, or 404."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django_scopes import scope

from . import selectors


def staff_view(view=None, *, admin: bool = False):
    """Resolve ``<association>`` from the URL for a staff user; anything else is a 404.

    A 404 (not 403) so a user of one association cannot learn what exists in another.
    The response is rendered inside the scope so lazy querysets in templates are scoped.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(request, association: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            assoc = selectors.association_for_staff(user=request.user, slug=association)
            if assoc is None:
                raise Http404("No such association")
            with scope(association=assoc):
                request.association = assoc
                request.staff_roles = selectors.staff_roles(association=assoc, user=request.user)
                if admin and not any(s.role.is_admin for s in request.staff_roles):
                    raise Http404("Not available")
                response = fn(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
