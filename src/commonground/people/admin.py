from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commonground.core.admin_site import platform_admin

from .models import Chapter, CustomFieldDefinition, Organisation, Person, Relationship


@admin.register(Person, site=platform_admin)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("last_name", "first_name", "email", "association", "chapter")
    list_filter = ("association",)
    search_fields = ("search_text",)
    raw_id_fields = ("chapter", "user")


@admin.register(Organisation, site=platform_admin)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "sector", "association")
    list_filter = ("association", "sector")


for model in (Chapter, CustomFieldDefinition, Relationship):
    platform_admin.register(model)
