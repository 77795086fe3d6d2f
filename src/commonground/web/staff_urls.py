"""All staff workspace URLs, mounted under /a/<association>/."""

from django.urls import include, path

from commonground.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboards/engagement/", views.engagement_dashboard, name="engagement_dashboard"),
    path("dashboards/insight/", views.insight_dashboard, name="insight_dashboard"),
    path("", include("commonground.people.urls")),
    path("", include("commonground.membership.urls_import")),
    path("", include("commonground.people.urls_merge")),
    path("", include("commonground.membership.urls")),
    path("", include("commonground.portal.staff_urls")),
    path("", include("commonground.tenancy.urls")),
    path("", include("commonground.activity.urls_360")),
    path("", include("commonground.activity.urls")),
    path("", include("commonground.engagement.urls")),
    path("", include("commonground.scoring.urls")),
    path("", include("commonground.opportunities.urls")),
    path("", include("commonground.recognition.urls")),
    path("", include("commonground.insight.urls")),
    path("", include("commonground.insight.urls_prospects")),
    path("", include("commonground.recommendations.urls")),
    path("", include("commonground.segments.urls")),
    path("", include("commonground.outreach.urls")),
    path("", include("commonground.planning.urls")),
    path("", include("commonground.planning.urls_kpis")),
    path("", include("commonground.planning.urls_balance")),
    path("", include("commonground.negotiation.urls_meetings")),
    path("", include("commonground.negotiation.urls_decisions")),
    path("", include("commonground.collaboration.urls_consortia")),
    path("", include("commonground.collaboration.urls_services")),
    path("", include("commonground.collaboration.urls_sharing")),
    path("", include("commonground.partnerships.urls")),
    path("", include("commonground.partnerships.urls_products")),
]
