"""Member pages of data sharing, under /m/<association>/ in the portal's namespace: the
agreements that ask for the member's consent, and giving or withdrawing it."""

from django.urls import path

from . import views_portal

urlpatterns = [
    path("sharing/", views_portal.sharing, name="sharing"),
    path("sharing/<int:agreement_id>/consent/", views_portal.sharing_consent,
         name="sharing_consent"),
]
