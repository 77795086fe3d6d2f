"""The plan's staff pages under /a/<association>/planning/ (the KPI drill-downs are
``urls_kpis``, the balance view ``urls_balance``)."""

from django.urls import path

from . import views, views_objectives

urlpatterns = [
    path("planning/", views.plan_home, name="plan_home"),
    path("planning/plans/", views.plan_list, name="strategic_plan_list"),
    path("planning/plans/new/", views.plan_new, name="strategic_plan_new"),
    path("planning/plans/<int:strategic_plan_id>/", views.plan_detail, name="strategic_plan_detail"),
    path("planning/plans/<int:strategic_plan_id>/edit/", views.plan_edit, name="strategic_plan_edit"),
    path("planning/plans/<int:strategic_plan_id>/why/", views.plan_why, name="plan_why"),
    path("planning/plans/<int:strategic_plan_id>/why/write/", views.why_write,
         name="why_write"),
    path("planning/plans/<int:strategic_plan_id>/comments/", views.plan_comment,
         name="plan_comment"),
    path("planning/plans/<int:strategic_plan_id>/goals/new/", views.goal_new, name="goal_new"),
    path("planning/goals/<int:goal_id>/", views.goal_detail, name="goal_detail"),
    path("planning/goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("planning/goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("planning/goals/<int:goal_id>/comments/", views.goal_comment, name="goal_comment"),
    path("planning/goals/<int:goal_id>/objectives/new/", views_objectives.objective_new,
         name="objective_new"),
    path("planning/objectives/<int:objective_id>/", views_objectives.objective_detail,
         name="objective_detail"),
    path("planning/objectives/<int:objective_id>/edit/", views_objectives.objective_edit,
         name="objective_edit"),
    path("planning/objectives/<int:objective_id>/status/", views_objectives.objective_status,
         name="objective_status"),
    path("planning/objectives/<int:objective_id>/comments/",
         views_objectives.objective_comment, name="objective_comment"),
]
