"""Staff URLs: shared services and cost allocation (helper services)."""

from django.urls import path

from . import views_services as v

urlpatterns = [
    path("collaboration/services/", v.shared_service_list, name="shared_service_list"),
    path("collaboration/services/<int:shared_service_id>/", v.shared_service_detail,
         name="shared_service_detail"),
    path("collaboration/services/<int:shared_service_id>/subscribe/", v.shared_service_subscribe,
         name="shared_service_subscribe"),
    path("collaboration/services/<int:shared_service_id>/rules/", v.allocation_rule_create,
         name="allocation_rule_create"),
    path("collaboration/services/<int:shared_service_id>/periods/", v.cost_period_create,
         name="cost_period_create"),
    path("collaboration/periods/<int:cost_period_id>/", v.cost_period_detail,
         name="cost_period_detail"),
    path("collaboration/periods/<int:cost_period_id>/costs/", v.cost_period_item_add,
         name="cost_period_item_add"),
    path("collaboration/periods/<int:cost_period_id>/run/", v.allocation_run,
         name="allocation_run"),
    path("collaboration/periods/<int:cost_period_id>/close/", v.cost_period_close,
         name="cost_period_close"),
    path("collaboration/periods/<int:cost_period_id>/adjust/", v.allocation_adjust,
         name="allocation_adjust"),
    path("collaboration/allocations/", v.allocation_list, name="allocation_list"),
]
