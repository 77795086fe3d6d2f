from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("data.json", views.data_export, name="data_export"),
    path("memberships/<int:membership_id>/renew/", views.renew, name="renew"),
    path("invoices/<int:invoice_id>/", views.invoice, name="invoice"),
]
