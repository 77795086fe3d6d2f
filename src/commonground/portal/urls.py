from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("data.json", views.data_export, name="data_export"),
    path("memberships/<int:membership_id>/renew/", views.renew, name="renew"),
    path("invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    # The domain apps' member pages, in this namespace (portal:<name>).
    path("", include("commonground.engagement.urls_portal")),
    path("", include("commonground.scoring.urls_portal")),
    path("", include("commonground.opportunities.urls_portal")),
    path("", include("commonground.recognition.urls_portal")),
    # Data sharing: the member's consent to agreements (issue 13, helper sharing).
    path("", include("commonground.collaboration.urls_portal")),
]
