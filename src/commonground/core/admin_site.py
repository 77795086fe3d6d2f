"""Django admin for platform operators (superusers) only.

Tenant data is scoped everywhere; the platform admin is the one explicit place that
crosses tenants, so its views run with scopes disabled.
"""

from functools import update_wrapper

from django.contrib import admin
from django_scopes import scopes_disabled


class PlatformAdminSite(admin.AdminSite):
    site_header = "commonground platform"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            with scopes_disabled():
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                return response

        return update_wrapper(wrapper, view)


platform_admin = PlatformAdminSite(name="platform_admin")
