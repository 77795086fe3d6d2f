"""Joint decisions and dual-input forms, under /a/<association>/ (the decisions part)."""

from django.urls import path

from . import views_decisions as decisions
from . import views_forms as forms

urlpatterns = [
    path("decisions/", decisions.decision_list, name="decision_list"),
    path("decisions/new/", decisions.decision_new, name="decision_new"),
    path("decisions/types/", decisions.decision_type_list, name="decision_type_list"),
    path("decisions/types/new/", decisions.decision_type_edit, name="decision_type_new"),
    path("decisions/types/<int:decision_type_id>/", decisions.decision_type_edit,
         name="decision_type_edit"),
    path("decisions/<int:decision_id>/", decisions.decision_detail, name="decision_detail"),
    path("decisions/<int:decision_id>/sign/", decisions.decision_sign, name="decision_sign"),
    path("decisions/<int:decision_id>/close/", decisions.decision_close, name="decision_close"),
    path("decisions/<int:decision_id>/reopen/", decisions.decision_reopen,
         name="decision_reopen"),
    path("forms/", forms.dual_form_list, name="dual_form_list"),
    path("forms/new/", forms.dual_form_new, name="dual_form_new"),
    path("forms/<int:form_id>/", forms.dual_form_detail, name="dual_form_detail"),
    path("forms/<int:form_id>/input/", forms.dual_form_input, name="dual_form_input"),
    path("forms/<int:form_id>/complete/", forms.dual_form_complete, name="dual_form_complete"),
]
