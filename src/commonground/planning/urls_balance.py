"""The balance view's staff pages under /a/<association>/ (see ``planning.balance``)."""

from django.urls import path

from .balance import views

urlpatterns = [
    path("planning/balance/", views.balance, name="balance"),
    path("planning/balance/refresh/", views.balance_refresh, name="balance_refresh"),
    path("planning/balance/settings/", views.balance_settings, name="balance_settings"),
    path("planning/balance/settings/defaults/", views.balance_defaults, name="balance_defaults"),
    path("planning/balance/settings/<int:balance_metric_id>/remove/", views.balance_metric_remove,
         name="balance_metric_remove"),
    path("planning/balance/settings/<int:balance_metric_id>/move/", views.balance_metric_move,
         name="balance_metric_move"),
    path("planning/balance/costs/", views.balance_costs, name="balance_costs"),
    path("planning/balance/costs/<int:cost_id>/delete/", views.balance_cost_delete,
         name="balance_cost_delete"),
]
