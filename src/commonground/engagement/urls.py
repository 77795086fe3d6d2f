"""Engagement staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/taxonomies/", views.taxonomy_list, name="taxonomy_list"),
    path("settings/taxonomies/<int:trait_id>/edit/", views.trait_edit, name="trait_edit"),
    path("people/<int:person_id>/traits/", views.person_traits, name="person_traits"),
    path("contributions/", views.contribution_queue, name="contribution_queue"),
    path("contributions/<int:contribution_id>/verify/", views.contribution_decide,
         {"decision": "verify"}, name="contribution_verify"),
    path("contributions/<int:contribution_id>/reject/", views.contribution_decide,
         {"decision": "reject"}, name="contribution_reject"),
    path("people/<int:person_id>/contributions/new/", views.contribution_record,
         name="contribution_record"),
    path("people/<int:person_id>/outcomes/new/", views.outcome_record, name="outcome_record"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/approve/", views.group_decide, {"approve": True},
         name="group_approve"),
    path("groups/<int:group_id>/decline/", views.group_decide, {"approve": False},
         name="group_decline"),
]
