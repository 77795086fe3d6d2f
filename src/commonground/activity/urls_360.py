"""Member 360 staff URLs (under /a/<association>/): timeline, source health, unmatched queue."""

from django.urls import path

from . import views_360 as views

urlpatterns = [
    path("people/<int:person_id>/activity/", views.person_timeline, name="person_timeline"),
    path("activity/health/", views.source_health, name="source_health"),
    path("activity/unmatched/", views.unmatched_list, name="unmatched_list"),
    path("activity/unmatched/prospect/", views.unmatched_prospect, name="unmatched_prospect"),
    path("activity/unmatched/attach/", views.unmatched_attach, name="unmatched_attach"),
]
