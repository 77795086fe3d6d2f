"""Recognition staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("recognition/", views.recognition_home, name="recognition_home"),
    path("recognition/defaults/", views.tiers_defaults, name="recognition_defaults"),
    path("recognition/evaluate/", views.tiers_evaluate, name="recognition_evaluate"),
    path("recognition/tiers/new/", views.tier_edit, name="recognition_tier_create"),
    path("recognition/tiers/<int:tier_id>/edit/", views.tier_edit, name="recognition_tier_edit"),
    path("recognition/nominations/<int:nomination_id>/<str:decision>/",
         views.nomination_decide, name="recognition_nomination_decide"),
    path("recognition/awards/", views.award_list, name="recognition_awards"),
    path("recognition/awards/<int:award_id>/revoke/", views.award_revoke,
         name="recognition_award_revoke"),
    path("people/<int:person_id>/badges/issue/", views.person_award, name="recognition_person_award"),
    path("people/<int:person_id>/nominate/", views.person_nominate,
         name="recognition_person_nominate"),
    path("experts/", views.expert_list, name="recognition_experts"),
    path("experts/<int:expert_id>/vet/", views.expert_vet, name="recognition_expert_vet"),
    path("settings/badges/", views.issuer_settings, name="recognition_issuer"),
]
