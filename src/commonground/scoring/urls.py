"""Engagement score staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/engagement-score/", views.score_settings, name="score_settings"),
    path("people/<int:person_id>/score/", views.score_explain_page, name="score_explain"),
]
