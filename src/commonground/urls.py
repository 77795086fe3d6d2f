from django.urls import include, path

from commonground.core import views as core_views
from commonground.core.admin_site import platform_admin
from commonground.core.api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    # Staff workspace of one association; the decorator 404s for anyone not on its staff.
    path("a/<slug:association>/", include("commonground.core.staff_urls")),
    # Member portal of one association.
    path("m/<slug:association>/", include("commonground.portal.urls")),
    path("platform-admin/", platform_admin.urls),
]
