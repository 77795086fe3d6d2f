from django.contrib import admin

from commonground.core.admin_site import platform_admin

from .models import ApiToken, Association, AuditEntry, Role, StaffMember


@admin.register(Association, site=platform_admin)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "country", "currency", "created_at")
    search_fields = ("name", "slug")


@admin.register(Role, site=platform_admin)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "association", "side", "is_admin")
    list_filter = ("side", "association")


@admin.register(StaffMember, site=platform_admin)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "association", "created_at")
    list_filter = ("association",)


@admin.register(ApiToken, site=platform_admin)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "association", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("token_hash",)


@admin.register(AuditEntry, site=platform_admin)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "association", "action", "object_type", "object_id", "actor")
    list_filter = ("association", "action")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the audit trail is append-only
