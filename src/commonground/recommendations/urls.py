"""Next-best offering staff pages, under /a/<association>/."""

from django.urls import path  # noqa: F401  (the app's pages are added here)

urlpatterns: list = []
