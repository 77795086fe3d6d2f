"""Segments staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_new, name="segment_new"),
    path("segments/from-selection/", views.segment_from_selection,
         name="segment_from_selection"),
    path("segments/<int:segment_id>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:segment_id>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:segment_id>/export.<str:fmt>", views.segment_export,
         name="segment_export"),
    path("segments/<int:segment_id>/freeze/", views.segment_freeze, name="segment_freeze"),
    path("segments/<int:segment_id>/duplicate/", views.segment_duplicate,
         name="segment_duplicate"),
    path("segments/<int:segment_id>/delete/", views.segment_delete, name="segment_delete"),
]
