"""Engagement member pages, under /m/<association>/ in the portal's namespace."""

from django.urls import path

from . import views_portal as v

urlpatterns = [
    path("about-me/", v.traits, name="traits"),
    path("outcomes/", v.outcomes, name="outcomes"),
    path("outcomes/<int:outcome_id>/edit/", v.outcome_edit, name="outcome_edit"),
    path("groups/", v.groups, name="groups"),
    path("groups/<int:group_id>/join/", v.group_membership, {"action": "join"}, name="group_join"),
    path("groups/<int:group_id>/leave/", v.group_membership, {"action": "leave"},
         name="group_leave"),
    path("notices/", v.notices, name="notices"),
    path("contributions/", v.contributions, name="contributions"),
    path("contributions/<int:contribution_id>/edit/", v.contribution_edit,
         name="contribution_edit"),
    path("contributions/<int:contribution_id>/withdraw/", v.contribution_withdraw,
         name="contribution_withdraw"),
]
