"""Roster import pages, under /a/<association>/import/."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("import/", views_import.import_index, name="import_index"),
    path("import/map/", views_import.import_map, name="import_map"),
    path("import/<int:batch_id>/", views_import.import_detail, name="import_detail"),
    path("import/<int:batch_id>/progress/", views_import.import_progress, name="import_progress"),
    path("import/<int:batch_id>/errors.csv", views_import.import_errors, name="import_errors"),
]
