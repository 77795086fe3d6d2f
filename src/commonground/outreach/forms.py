"""Forms of the outreach pages; the services validate again (the API and CLI skip these)."""

from __future__ import annotations

from django import forms

from commonground.segments.models import Segment

from .models import MAX_HOLDOUT_PERCENT, ContactStatus


class OutreachForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name of the list",
                           help_text="e.g. “Renewal calls, March”")
    segment = forms.TypedChoiceField(coerce=int, label="People from the segment",
                                     help_text="Its people today: the list does not change "
                                               "when the segment does")
    holdout_percent = forms.IntegerField(
        min_value=0, max_value=MAX_HOLDOUT_PERCENT, label="Hold back (%)",
        help_text="A random share not contacted, to measure whether the outreach works "
                  "(0: nobody, and no measurement)")
    seed = forms.IntegerField(required=False, min_value=0, label="Seed (optional)",
                              help_text="Repeats an earlier draw; empty: a new random one, "
                                        "recorded on the list")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", "Choose a segment")] + [
            (s.pk, f"{s.name}{' (static list)' if s.is_static else ''}")
            for s in Segment.objects.order_by("name").only("pk", "name", "is_static")]


class SettingsForm(forms.Form):
    holdout_percent = forms.IntegerField(
        min_value=0, max_value=MAX_HOLDOUT_PERCENT, label="Hold back from new lists (%)",
        help_text="The default share of each new outreach list that is not contacted")
    min_per_group = forms.IntegerField(
        min_value=1, max_value=10_000, label="Fewest decided renewals per group",
        help_text="Below this in either group the report says “too few to tell”")


class ContactsForm(forms.Form):
    person = forms.TypedMultipleChoiceField(coerce=int, required=False)
    status = forms.ChoiceField(choices=[(ContactStatus.CONTACTED, "Contacted"),
                                        (ContactStatus.UNREACHABLE, "Not reachable")],
                               required=False)
    note = forms.CharField(max_length=300, required=False)
    # A row's own button: "<person id>:<status>"
    one = forms.CharField(required=False)

    def __init__(self, *args, person_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p, p) for p in person_ids]

    def selection(self) -> tuple[list[int], str]:
        """The people and the status to record: a row's button wins over the checkboxes."""
        one = self.cleaned_data.get("one") or ""
        if ":" in one:
            pid, _, status = one.partition(":")
            return ([int(pid)] if pid.isdigit() else []), status
        return self.cleaned_data.get("person") or [], self.cleaned_data.get("status") or ""
