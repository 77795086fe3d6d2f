"""The plan's forms: plain Django forms that post to one service each (no JavaScript).

The objective form offers every filter any metric takes as its own optional field (a
select where the filter lists its values): the service says which ones the chosen metric
does not take, so the form needs no script to follow the metric.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from commonground.core import metrics
from commonground.tenancy import permissions
from commonground.tenancy.models import Association, StaffMember

from .models import Direction, PlanStatus, WhyQuestion

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
FILTER_PREFIX = "filter_"


class PlanForm(forms.Form):
    name = forms.CharField(max_length=200)
    starts_on = forms.DateField(label="Starts on", **DATE)
    ends_on = forms.DateField(label="Ends on", **DATE)
    status = forms.ChoiceField(choices=PlanStatus.choices, initial=PlanStatus.ACTIVE)


class AnswerForm(forms.Form):
    question = forms.ChoiceField(choices=WhyQuestion.choices)
    text = forms.CharField(label="The board's answer", max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    written_on = forms.DateField(label="Agreed on", required=False,
                                 help_text="The day the board agreed it; today if left empty.",
                                 **DATE)


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. “+10 % members by December”")
    description = forms.CharField(required=False, max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(**DATE)


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3}))


def metric_choices() -> list[tuple[str, Any]]:
    """The catalogue as grouped choices: ``[("", "Choose…"), (group, [(key, label)…])…]``."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for m in metrics.catalogue():
        kind = "over the period" if m.kind == "flow" else "on the day"
        groups.setdefault(m.group, []).append((m.key, f"{m.label} ({kind})"))
    return [("", "Choose a metric…"), *groups.items()]


def filter_specs() -> dict[str, metrics.FilterSpec]:
    """Every filter name any metric takes, with the first metric's spec for its label."""
    out: dict[str, metrics.FilterSpec] = {}
    for m in metrics.catalogue():
        for f in m.filters:
            out.setdefault(f.name, f)
    return out


def owner_choices(association: Association) -> list[tuple[str, str]]:
    """``"<user id>:<side>"`` for each staff member and each side they can act for (the
    board owns no objective). One query."""
    sides: dict[int, set[str]] = {}
    emails: dict[int, str] = {}
    for staff in StaffMember.objects.filter(association=association, role__is_board=False) \
            .select_related("role", "user").order_by("user__email"):
        sides.setdefault(staff.user_id, set()).update(permissions.sides_of([staff]))
        emails[staff.user_id] = staff.user.email
    return [(f"{uid}:{side}", f"{emails[uid]} — {side}")
            for uid in sorted(emails, key=emails.get) for side in sorted(sides[uid])]


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. “New prospects identified”")
    description = forms.CharField(required=False, max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    metric = forms.ChoiceField(label="KPI: metric", choices=())
    starts_on = forms.DateField(label="Counted from", required=False,
                                help_text="The start of the period; today if left empty.",
                                **DATE)
    deadline = forms.DateField(**DATE)
    target = forms.CharField(max_length=20, help_text="The value to reach by the deadline.")
    baseline = forms.CharField(max_length=20, required=False, help_text=(
        "Left empty: the metric's value on the start date (0 for a count over the period)."))
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.UP)
    sides = forms.MultipleChoiceField(
        choices=[("mission", "Mission"), ("business", "Business")], required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The sides that share it; left empty, its owners' sides.")
    owners = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Named people on each side (hold Ctrl or ⌘ to pick several).")

    def __init__(self, *args: Any, association: Association, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()
        self.fields["owners"].choices = owner_choices(association)
        self.filter_names: list[str] = []
        # The filters go before the period, beside the metric they refine.
        ordered = dict(self.fields)
        fields = {k: ordered.pop(k) for k in ("title", "description", "metric")}
        for name, spec in filter_specs().items():
            label = f"Filter: {spec.label.lower()}"
            help_text = spec.help or "Optional; only for metrics that take it."
            choices = list(spec.choices(association)) if spec.choices else None
            if choices:
                field: forms.Field = forms.ChoiceField(
                    label=label, required=False, help_text=help_text,
                    choices=[("", "Any"), *[(str(v), lbl) for v, lbl in choices]])
            else:
                field = forms.CharField(label=label, required=False, max_length=200,
                                        help_text=help_text)
            fields[FILTER_PREFIX + name] = field
            self.filter_names.append(name)
        fields.update(ordered)
        self.fields = fields

    def kpi_filters(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data[FILTER_PREFIX + name] for name in self.filter_names
                if data.get(FILTER_PREFIX + name)}

    def owner_pairs(self) -> list[tuple[Any, str]]:
        User = get_user_model()
        pairs = [value.split(":", 1) for value in self.cleaned_data.get("owners") or ()]
        users = User.objects.in_bulk([int(uid) for uid, _ in pairs])
        return [(users[int(uid)], side) for uid, side in pairs if int(uid) in users]

    @staticmethod
    def initial_for(objective) -> dict[str, Any]:
        initial = {"title": objective.title, "description": objective.description,
                   "metric": objective.metric, "starts_on": objective.starts_on,
                   "deadline": objective.deadline, "target": objective.target,
                   "baseline": objective.baseline, "direction": objective.direction,
                   "sides": list(objective.sides),
                   "owners": [f"{o.user_id}:{o.side}" for o in objective.owners.all()]}
        for name, value in (objective.filters or {}).items():
            initial[FILTER_PREFIX + name] = value
        return initial
