"""The portal's staff URLs (under /a/<association>/, beside the person's own pages)."""

from django.urls import path

from . import views_staff

urlpatterns = [
    path("people/<int:person_id>/portal-access/", views_staff.portal_access,
         name="portal_access"),
]
