"""Public badge URLs, under /badges/<association>/ (no login): the Open Badges issuer,
badge classes, images, hosted assertions, the signing key, and the recognition page."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("", views_public.recognition_page, name="recognition_public"),
    path("issuer", views_public.issuer, name="badge_issuer"),
    path("issuer/v3", views_public.issuer_v3, name="badge_issuer_v3"),
    path("keys", views_public.keys, name="badge_keys"),
    path("classes/<slug:slug>", views_public.badge_class, name="badge_class"),
    path("classes/<slug:slug>/image.svg", views_public.badge_image, name="badge_class_image"),
    path("assertions/<str:uuid>", views_public.assertion, name="badge_assertion"),
]
