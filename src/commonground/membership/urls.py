"""Staff URLs for plans, offerings, memberships and invoices (under /a/<association>/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("people/export.<str:fmt>", views.person_list_export, name="person_list_export"),
    path("people/<int:person_id>/join/", views.membership_join, name="membership_join"),
    path("memberships/<int:membership_id>/renew/", views.membership_renew, name="membership_renew"),
    path("memberships/<int:membership_id>/reinstate/", views.membership_reinstate,
         name="membership_reinstate"),
    path("memberships/<int:membership_id>/cancel/", views.membership_cancel,
         name="membership_cancel"),
    path("invoices/<int:invoice_id>/pay/", views.invoice_pay, name="invoice_pay"),
    path("invoices/<int:invoice_id>/refund/", views.invoice_refund, name="invoice_refund"),
    path("invoices/<int:invoice_id>/void/", views.invoice_void, name="invoice_void"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_edit, name="plan_create"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/new/", views.offering_edit, name="offering_create"),
    path("offerings/<int:offering_id>/edit/", views.offering_edit, name="offering_edit"),
]
