"""Opportunities staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_edit, name="opportunity_create"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail,
         name="opportunity_detail"),
    path("opportunities/<int:opportunity_id>/edit/", views.opportunity_edit,
         name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/candidates/", views.opportunity_candidates,
         name="opportunity_candidates"),
    path("opportunities/<int:opportunity_id>/status/", views.opportunity_status,
         name="opportunity_status"),
    path("opportunities/<int:opportunity_id>/invite/", views.opportunity_invite,
         name="opportunity_invite"),
    path("invitations/<int:invitation_id>/<str:action>/", views.invitation_action,
         name="invitation_action"),
]
