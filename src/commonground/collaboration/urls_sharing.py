"""Staff URLs: data-sharing agreements (helper sharing), under /a/<association>/sharing/."""

from django.urls import path

from . import views_sharing as v

urlpatterns = [
    path("sharing/", v.agreement_list, name="agreement_list"),
    path("sharing/new/", v.agreement_new, name="agreement_new"),
    path("sharing/shared-with-us/", v.shared_with_us, name="shared_with_us"),
    path("sharing/<int:agreement_id>/", v.agreement_detail, name="agreement_detail"),
    path("sharing/<int:agreement_id>/approve/", v.agreement_approve, name="agreement_approve"),
    path("sharing/<int:agreement_id>/revoke/", v.agreement_revoke, name="agreement_revoke"),
    path("sharing/<int:agreement_id>/consents/", v.agreement_consents,
         name="agreement_consents"),
    path("sharing/<int:agreement_id>/log/", v.agreement_log, name="agreement_log"),
    path("sharing/<int:agreement_id>/rows/", v.shared_rows, name="shared_rows"),
    path("sharing/<int:agreement_id>/rows.csv", v.shared_rows_csv, name="shared_rows_csv"),
]
