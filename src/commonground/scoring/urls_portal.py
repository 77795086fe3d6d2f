"""Engagement score member pages, under /m/<association>/ in the portal's namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("engagement/", views.my_engagement, name="my_engagement"),
]
