from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from commonground.tenancy import selectors as tenancy_selectors
from commonground.tenancy.decorators import staff_view


def home(request: HttpRequest) -> HttpResponse:
    """Send staff to their workspace and members to their portal."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    associations = tenancy_selectors.associations_for_staff(user=request.user)
    if len(associations) == 1:
        return redirect("dashboard", association=associations[0].slug)
    from commonground.portal.selectors import portal_associations

    memberships = portal_associations(user=request.user)
    if not associations and len(memberships) == 1:
        return redirect("portal:home", association=memberships[0].slug)
    return render(request, "core/choose.html",
                  {"associations": associations, "portals": memberships})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    from commonground.membership.selectors import membership_dashboard

    return render(request, "core/dashboard.html", membership_dashboard())
