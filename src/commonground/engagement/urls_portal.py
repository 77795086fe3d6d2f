"""Engagement member pages, under /m/<association>/ in the portal's namespace."""

from django.urls import path

from . import views_portal as v

urlpatterns = [
    path("notices/", v.notices, name="notices"),
    path("contributions/", v.contributions, name="contributions"),
    path("contributions/<int:contribution_id>/edit/", v.contribution_edit,
         name="contribution_edit"),
    path("contributions/<int:contribution_id>/withdraw/", v.contribution_withdraw,
         name="contribution_withdraw"),
]
