"""The Prospects pages, under /a/<association>/ (included by ``web.staff_urls``)."""

from django.urls import path

from . import views_prospects as views

urlpatterns = [
    path("insight/prospects/", views.prospects_page, name="prospects"),
    path("insight/prospects/refresh/", views.prospects_refresh, name="prospects_refresh"),
]
