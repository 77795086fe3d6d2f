"""The meetings part's page forms: plain Django forms that parse input for one service
call each. Choices of staff come from ``staff_choices`` (one query)."""

from __future__ import annotations

from django import forms

from commonground.tenancy import permissions
from commonground.tenancy.models import StaffMember

from .models import Cadence, Meeting, MeetingSeries, MeetingStatus


def staff_choices() -> dict[str, list[tuple[int, str]]]:
    """{"mission": [(user id, label)], "business": [...], "any": [...]}: the staff who can
    act for each side (the board for none), from the scoped staff list."""
    roles: dict[int, list[StaffMember]] = {}
    users = {}
    for staff in StaffMember.objects.select_related("role", "user").order_by("user__email"):
        roles.setdefault(staff.user_id, []).append(staff)
        users[staff.user_id] = staff.user
    out: dict[str, list[tuple[int, str]]] = {"mission": [], "business": [], "any": []}
    for uid, held in roles.items():
        user = users[uid]
        label = user.get_full_name() or user.email or user.username
        names = ", ".join(s.role.name for s in held)
        sides = permissions.sides_of(held)
        for side in ("mission", "business"):
            if side in sides:
                out[side].append((uid, f"{label} ({names})"))
        if sides:
            out["any"].append((uid, label))
    return out


LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DAY = forms.DateInput(attrs={"type": "date"})


class ParticipantsMixin(forms.Form):
    mission = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label="Mission side", help_text="Standards, advocacy, community, volunteers")
    business = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label="Business side", help_text="Membership, meetings, education, publications")

    def set_staff(self, choices: dict[str, list[tuple[int, str]]]) -> None:
        self.fields["mission"].choices = choices["mission"]
        self.fields["business"].choices = choices["business"]

    def participants(self) -> list[tuple[int, str]]:
        return ([(u, "mission") for u in self.cleaned_data["mission"]]
                + [(u, "business") for u in self.cleaned_data["business"]
                   if u not in self.cleaned_data["mission"]])


class ScheduleForm(ParticipantsMixin):
    title = forms.CharField(max_length=200, initial="Regulation meeting")
    starts_at = forms.DateTimeField(label="Starts", widget=LOCAL,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    location = forms.CharField(max_length=200, required=False)
    series = forms.ModelChoiceField(queryset=MeetingSeries.objects.none(), required=False,
                                    help_text="Without participants, the series' standing "
                                              "participants are invited")

    field_order = ["title", "starts_at", "location", "series", "mission", "business"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = MeetingSeries.objects.all()


class SeriesForm(ParticipantsMixin):
    name = forms.CharField(max_length=200, initial="Regulation meeting")
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.TRIMESTER)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    field_order = ["name", "cadence", "purpose", "mission", "business"]


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300, label="Item")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           label="Details")


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=300, label="What")
    owner = forms.TypedChoiceField(coerce=int, label="Who")
    due_on = forms.DateField(label="By", widget=DAY)

    def set_staff(self, choices: dict[str, list[tuple[int, str]]]) -> None:
        self.fields["owner"].choices = [("", "—")] + choices["any"]


class ManualPageForm(forms.Form):
    title = forms.CharField(max_length=200)


class ManualReviseForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}), label="Text")
    summary = forms.CharField(max_length=300, required=False, label="What changed and why")
    meeting = forms.ModelChoiceField(queryset=Meeting.objects.none(), required=False,
                                     label="Decided at",
                                     help_text="The held meeting that agreed this change")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            status__in=(MeetingStatus.HELD, MeetingStatus.CIRCULATED)).order_by("-starts_at")
