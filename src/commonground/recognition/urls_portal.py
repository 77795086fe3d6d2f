"""Recognition member pages, under /m/<association>/ in the portal's namespace."""

from django.urls import path

from . import views_portal

urlpatterns = [
    path("recognition/", views_portal.my_recognition, name="recognition"),
    path("recognition/public/", views_portal.public_set, name="recognition_public_set"),
    path("recognition/nominate/", views_portal.nominate, name="recognition_nominate"),
    path("recognition/badges/<str:uuid>/credential.jwt", views_portal.credential_download,
         name="recognition_credential"),
    path("experts/", views_portal.experts, name="recognition_experts"),
    path("experts/me/", views_portal.expert_apply, name="recognition_expert_apply"),
]
