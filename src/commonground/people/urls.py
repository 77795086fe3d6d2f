"""Staff URLs for people, organisations, chapters and custom fields (under /a/<association>/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/erase/", views.person_erase, name="person_erase"),
    path("people/<int:person_id>/data.json", views.person_data_export, name="person_data_export"),
    path("people/<int:person_id>/relationships/add/", views.relationship_add,
         name="relationship_add"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:organisation_id>/", views.organisation_detail,
         name="organisation_detail"),
    path("chapters/", views.chapter_list, name="chapter_list"),
    path("fields/", views.custom_field_list, name="custom_field_list"),
]
