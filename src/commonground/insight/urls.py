"""Insight staff pages, under /a/<association>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("insight/at-risk/", views.at_risk, name="at_risk"),
    path("insight/models/<str:kind>/", views.model_card, name="model_card"),
    path("insight/models/<str:kind>/train/", views.model_train, name="model_train"),
]
