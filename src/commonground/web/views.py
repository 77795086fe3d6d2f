from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from commonground.core import charts
from commonground.membership.selectors import membership_dashboard
from commonground.portal.selectors import portal_associations
from commonground.tenancy import selectors as tenancy_selectors
from commonground.tenancy.decorators import staff_view
from commonground.web import engagement, insight


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
    # Django's own probe (a "SELECT 1" on PostgreSQL): no SQL of ours outside sql modules.
    connection.ensure_connection()
    if not connection.is_usable():
        raise DatabaseError("the database connection is not usable")
    return JsonResponse({"status": "ok"})


@login_required
@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {**membership_dashboard()}
    rate = context["renewal_rate_12"]
    context["renewal_rate_12_text"] = f"{rate * 100:.1f}%" if rate is not None else ""
    chart = joins_lapses_chart(context["monthly"])
    renewals = renewals_chart(context["renewals"])
    if response := charts.csv_for(request, [chart, renewals]):
        return response
    context["chart"] = chart.with_csv_url(charts.csv_href(request, chart.name)).render()
    context["renewals_chart"] = renewals.with_csv_url(
        charts.csv_href(request, renewals.name)).render()
    return render(request, "core/dashboard.html", context)


def joins_lapses_chart(monthly: list[tuple]) -> charts.Chart:
    """Joins (up) and lapses (down) per month, from ``(month, joined, lapsed)`` rows."""
    peak = max([0] + [max(j, lapse) for _, j, lapse in monthly])
    return charts.diverging_bar(
        "joins-lapses", title="Joins and lapses per month",
        description=(f"Bars above the line are joins, bars below are lapses, one pair per month "
                     f"for the last {len(monthly)} months; the tallest bar is {peak}. "
                     "The same figures are in the data table."),
        x=charts.Column("month", "Month", "month"),
        up=charts.Column("joined", "Joined", colour="#2e7d4f"),
        down=charts.Column("lapsed", "Lapsed", colour="#c0392b"),
        rows=monthly, width=900, height=220, filename="joins-and-lapses.csv")


def renewals_chart(renewals: list[tuple]) -> charts.Chart:
    """Per month, the terms whose grace ran out, renewed (green) or not (red), with the
    renewal rate in the table, from ``(month, due, renewed)`` rows."""
    rows = [(month, renewed, due - renewed, due, Decimal(renewed) / due if due else None)
            for month, due, renewed in renewals]
    peak = max([0] + [due for _, due, _ in renewals])
    return charts.bar(
        "renewals", title="Renewals per month",
        description=(f"One stacked bar per month for the last {len(renewals)} months: the "
                     "terms that ended in the month and whose grace has passed, renewed at "
                     "the bottom and not renewed on top; the tallest bar is "
                     f"{peak}. The renewal rate of each month is in the data table."),
        x=charts.Column("month", "Month", "month"),
        series=[charts.Column("renewed", "Renewed", colour="#2e7d4f"),
                charts.Column("lapsed", "Not renewed", colour="#c0392b")],
        extra=[charts.Column("due", "Terms ended"),
               charts.Column("rate", "Renewal rate", "percent", places=1)],
        rows=rows, width=900, height=220, filename="renewals.csv")


@login_required
@staff_view
def engagement_dashboard(request: HttpRequest) -> HttpResponse:
    """What members want, get and give, across the apps of D4: each chart with table and CSV."""
    figures = engagement.engagement_figures()
    declared = engagement.dashboard_charts(figures)
    if response := charts.csv_for(request, declared):
        return response
    rendered = {c.name.replace("-", "_"): c.with_csv_url(charts.csv_href(request, c.name)).render()
                for c in declared}
    return render(request, "web/engagement_dashboard.html", {"f": figures, "charts": rendered})


@login_required
@staff_view
def insight_dashboard(request: HttpRequest) -> HttpResponse:
    """Funnel, renewal by cohort, lapse risk, revenue at risk and engagement against
    renewal (D5): each chart with its table and CSV; the risk charts wait for predictions."""
    figures = insight.insight_figures()
    declared = insight.dashboard_charts(figures)
    if response := charts.csv_for(request, declared):
        return response
    rendered = {c.name.replace("-", "_"): c.with_csv_url(charts.csv_href(request, c.name)).render()
                for c in declared}
    return render(request, "web/insight_dashboard.html", {"f": figures, "charts": rendered})
