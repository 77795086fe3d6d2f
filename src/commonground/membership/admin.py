from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commonground.core.admin_site import platform_admin

from .models import Invoice, Membership, Offering, Payment, Plan, Term, Transition


@admin.register(Membership, site=platform_admin)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("id", "person", "organisation", "plan", "status", "ends_on", "association")
    list_filter = ("association", "status")
    raw_id_fields = ("person", "organisation")


@admin.register(Invoice, site=platform_admin)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "association", "amount", "currency", "status", "issued_on")
    list_filter = ("association", "status")
    raw_id_fields = ("person", "organisation", "membership")


for model in (Plan, Offering, Payment, Term, Transition):
    platform_admin.register(model)
