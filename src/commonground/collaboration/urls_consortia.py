"""Staff URLs: consortia and joint initiatives (helper consortia), under
/a/<association>/collaboration/."""

from django.urls import path

from . import views_consortia as v
from . import views_initiatives as vi

urlpatterns = [
    path("collaboration/consortia/", v.consortium_list, name="consortium_list"),
    path("collaboration/consortia/new/", v.consortium_new, name="consortium_new"),
    path("collaboration/consortia/<int:consortium_id>/", v.consortium_detail,
         name="consortium_detail"),
    path("collaboration/consortia/<int:consortium_id>/governance/", v.consortium_governance,
         name="consortium_governance"),
    path("collaboration/consortia/<int:consortium_id>/invite/", v.consortium_invite,
         name="consortium_invite"),
    path("collaboration/consortia/<int:consortium_id>/invitation/", v.consortium_invitation,
         name="consortium_invitation"),
    path("collaboration/consortia/<int:consortium_id>/leave/", v.consortium_leave,
         name="consortium_leave"),
    path("collaboration/consortia/<int:consortium_id>/assess/", v.consortium_assess,
         name="consortium_assess"),
    path("collaboration/consortia/<int:consortium_id>/assessments/", v.consortium_assessments,
         name="consortium_assessments"),
    path("collaboration/consortia/<int:consortium_id>/initiatives/new/", vi.initiative_new,
         name="initiative_new"),
    path("collaboration/initiatives/<int:initiative_id>/", vi.initiative_detail,
         name="initiative_detail"),
    path("collaboration/initiatives/<int:initiative_id>/edit/", vi.initiative_edit,
         name="initiative_edit"),
    path("collaboration/initiatives/<int:initiative_id>/objectives/new/",
         vi.initiative_objective_new, name="initiative_objective_new"),
    path("collaboration/initiatives/<int:initiative_id>/refresh/", vi.initiative_refresh,
         name="initiative_refresh"),
    path("collaboration/initiatives/<int:initiative_id>/contributions/new/",
         vi.initiative_contribute, name="initiative_contribute"),
    path("collaboration/initiatives/<int:initiative_id>/revenues/new/",
         vi.initiative_revenue_new, name="initiative_revenue_new"),
]
