"""Activity source pages, under /a/<association>/sources/."""

from django.urls import path

from . import views_sources as v

urlpatterns = [
    path("sources/", v.source_list, name="source_list"),
    path("sources/batches/", v.batch_list, name="batch_list"),
    path("sources/batches/<int:activity_batch_id>/", v.batch_detail, name="batch_detail"),
    path("sources/batches/<int:activity_batch_id>/progress/", v.batch_progress,
         name="batch_progress"),
    path("sources/batches/<int:activity_batch_id>/errors.csv", v.batch_errors, name="batch_errors"),
    path("sources/<int:source_id>/", v.source_detail, name="source_detail"),
    path("sources/<int:source_id>/secret/", v.source_rotate, name="source_rotate"),
    path("sources/<int:source_id>/upload/", v.source_upload, name="source_upload"),
    path("sources/<int:source_id>/rejects/", v.reject_list, name="reject_list"),
    path("sources/<int:source_id>/rejects.csv", v.reject_download, name="reject_download"),
    path("sources/<int:source_id>/rejects/<int:reject_id>/dismiss/", v.reject_dismiss,
         name="reject_dismiss"),
]
