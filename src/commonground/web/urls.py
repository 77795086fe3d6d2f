from django.urls import include, path

from commonground.core.admin_site import platform_admin
from commonground.web import views as web_views
from commonground.web.api import api

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    # Staff workspace of one association; the decorator 404s for anyone not on its staff.
    path("a/<slug:association>/", include("commonground.web.staff_urls")),
    # Member portal of one association.
    path("m/<slug:association>/", include("commonground.portal.urls")),
    # Open Badges issuer, classes and hosted assertions, and the recognition page: public.
    path("badges/<slug:association>/", include("commonground.recognition.urls_public")),
    # Partnerships' public credit pages and the partners' approval links: public.
    path("partners/<slug:association>/", include("commonground.partnerships.urls_public")),
    path("platform-admin/", platform_admin.urls),
]
