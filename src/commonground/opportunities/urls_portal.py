"""Opportunities member pages, under /m/<association>/ in the portal's namespace."""

from django.urls import path

from . import views_portal

urlpatterns = [
    path("opportunities/", views_portal.opportunities, name="opportunities"),
    path("opportunities/<int:opportunity_id>/", views_portal.opportunity_detail,
         name="opportunity_detail"),
    path("opportunities/<int:opportunity_id>/interest/", views_portal.opportunity_interest,
         name="opportunity_interest"),
    path("opportunities/<int:opportunity_id>/respond/", views_portal.opportunity_respond,
         name="opportunity_respond"),
]
