from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from commonground.membership.selectors import membership_dashboard
from commonground.portal.selectors import portal_associations
from commonground.tenancy import selectors as tenancy_selectors
from commonground.tenancy.decorators import staff_view


def home(request: HttpRequest) -> HttpResponse:
    """Send staff to their workspace and members to their portal."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    associations = tenancy_selectors.associations_for_staff(user=request.user)
    if len(associations) == 1:
        return redirect("dashboard", association=associations[0].slug)
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
    context = membership_dashboard()
    context["chart"] = bar_chart(context["monthly"])
    return render(request, "core/dashboard.html", context)


def bar_chart(monthly: list, *, width: int = 960, height: int = 240) -> dict:
    """Geometry for an inline SVG of joins (up) and lapses (down) per month.

    Drawn on the server so the dashboard needs no chart library and no JavaScript.
    """
    top, bottom, left = 20, 40, 44
    plot_h = height - top - bottom
    half = plot_h / 2
    mid = top + half
    peak = max([1] + [max(j, lapse) for _, j, lapse in monthly])
    step = (width - left - 8) / max(len(monthly), 1)
    bar_w = max(step * 0.7, 2)
    bars = []
    for i, (month, joins, lapses) in enumerate(monthly):
        x = left + i * step + (step - bar_w) / 2
        jh = joins / peak * half
        lh = lapses / peak * half
        bars.append({"x": round(x, 1), "w": round(bar_w, 1), "month": month,
                     "joins": joins, "lapses": lapses,
                     "jy": round(mid - jh, 1), "jh": round(jh, 1),
                     "ly": round(mid, 1), "lh": round(lh, 1),
                     "label": month.strftime("%b") if month.month in (1, 4, 7, 10) else "",
                     "year": month.year if month.month == 1 or i == 0 else "",
                     "tx": round(x + bar_w / 2, 1)})
    return {"width": width, "height": height, "mid": round(mid, 1), "left": left,
            "top_y": top, "bottom_y": round(top + plot_h, 1), "peak": peak, "bars": bars,
            "label_y": height - bottom + 16, "year_y": height - bottom + 32}
