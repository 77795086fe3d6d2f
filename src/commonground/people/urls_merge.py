"""Staff URLs for duplicates, merging and notes (under /a/<association>/)."""

from django.urls import path

from . import views_merge as views

urlpatterns = [
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/dismiss/", views.duplicate_dismiss, name="duplicate_dismiss"),
    path("duplicates/dismissed/", views.dismissal_list, name="dismissal_list"),
    path("duplicates/dismissed/<int:dismissal_id>/restore/", views.dismissal_restore,
         name="dismissal_restore"),
    path("people/<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path("people/<int:person_id>/notes/", views.note_add, name="note_add"),
    path("notes/<int:note_id>/pin/", views.note_pin, name="note_pin"),
]
