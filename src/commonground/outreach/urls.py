"""Outreach staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("outreach/", views.outreach_list, name="outreach_list"),
    path("outreach/new/", views.outreach_new, name="outreach_new"),
    path("outreach/<int:outreach_id>/", views.outreach_detail, name="outreach_detail"),
    path("outreach/<int:outreach_id>/contacts/", views.outreach_contacts,
         name="outreach_contacts"),
    path("outreach/<int:outreach_id>/export/", views.outreach_export, name="outreach_export"),
    path("settings/outreach/", views.outreach_settings, name="outreach_settings"),
]
