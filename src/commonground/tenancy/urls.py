"""Settings URLs (under /a/<association>/settings/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/", views.settings_index, name="settings_index"),
    path("settings/roles/<int:role_id>/side/", views.role_side, name="role_side"),
    path("settings/tokens/", views.token_list, name="token_list"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
