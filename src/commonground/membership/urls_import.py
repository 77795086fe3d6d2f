"""Import pages, under /a/<association>/import/: the roster, and the membership history
under /import/history/."""

from django.urls import path

from . import views_import, views_import_history

urlpatterns = [
    path("import/", views_import.import_index, name="import_index"),
    path("import/map/", views_import.import_map, name="import_map"),
    path("import/examples/<str:example>", views_import.import_sample, name="import_sample"),
    path("import/<int:batch_id>/", views_import.import_detail, name="import_detail"),
    path("import/<int:batch_id>/progress/", views_import.import_progress, name="import_progress"),
    path("import/<int:batch_id>/errors.csv", views_import.import_errors, name="import_errors"),
    path("import/history/", views_import_history.import_history_index,
         name="import_history_index"),
    path("import/history/map/", views_import_history.import_history_map,
         name="import_history_map"),
    path("import/history/<int:batch_id>/", views_import_history.import_history_detail,
         name="import_history_detail"),
    path("import/history/<int:batch_id>/progress/", views_import_history.import_history_progress,
         name="import_history_progress"),
    path("import/history/<int:batch_id>/errors.csv", views_import_history.import_history_errors,
         name="import_history_errors"),
]
