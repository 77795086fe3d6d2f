from commonground.core.admin_site import platform_admin

from .models import Activity, ActivityBatch, ActivityReject, Identity, Source

# The platform admin (superusers only) is the one place that crosses tenants.
for model in (Source, ActivityBatch, Activity, ActivityReject, Identity):
    platform_admin.register(model)
