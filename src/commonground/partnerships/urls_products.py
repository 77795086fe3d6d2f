"""Staff URLs: joint products and their approvals, under /a/<association>/joint-products/."""

from django.urls import path

from . import views_products as v

P = "joint-products/<int:product_id>/"
A = P + "approvals/<int:approval_id>/"

urlpatterns = [
    path("joint-products/", v.joint_product_list, name="joint_product_list"),
    path("joint-products/new/", v.joint_product_new, name="joint_product_new"),
    path(P, v.joint_product_detail, name="joint_product_detail"),
    path(P + "edit/", v.joint_product_edit, name="joint_product_edit"),
    path(P + "submit/", v.joint_product_submit, name="joint_product_submit"),
    path(P + "verify/", v.joint_product_verify, name="joint_product_verify"),
    path(P + "publish/", v.joint_product_publish, name="joint_product_publish"),
    path(P + "withdraw/", v.joint_product_withdraw, name="joint_product_withdraw"),
    path(P + "delivery/", v.joint_product_deliver, name="joint_product_deliver"),
    path(P + "reviews/", v.joint_product_review, name="joint_product_review"),
    path(P + "credits/", v.credit_save, name="credit_save"),
    path(A + "decide/", v.approval_decide, name="approval_decide"),
    path(A + "record/", v.approval_record, name="approval_record"),
    path(A + "resend/", v.approval_resend, name="approval_resend"),
]
