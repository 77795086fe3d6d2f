"""The partnership pages' forms: plain Django forms, each posting to one service (no
JavaScript). The partnership page holds several, each with its own prefix so their ids
never clash. Choices of the association's rows are set in ``__init__`` (inside the
view's scope)."""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.people.models import Organisation, Sector
from commonground.planning.forms import metric_choices
from commonground.tenancy.models import StaffMember

from .models import (
    AssetKind,
    ClauseKind,
    ExchangeKind,
    PartnerAsset,
    Partnership,
    PartnershipParty,
    PartnershipStatus,
    Relationship,
    ResourceKind,
    RiskStatus,
    Stage,
    StakeholderKind,
    TrustKind,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
SCALE = [(str(i), str(i)) for i in range(1, 6)]
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


def staff_choices() -> list[tuple[str, str]]:
    """The association's staff users (the board too: choices only), once each."""
    seen: dict[int, str] = {}
    for staff in StaffMember.objects.select_related("user").order_by("user__email"):
        seen.setdefault(staff.user_id, staff.user.get_full_name() or staff.user.email)
    return [("", "—"), *[(str(uid), label) for uid, label in seen.items()]]


def party_label(party: PartnershipParty) -> str:
    return "Us (the association)" if party.is_us else party.organisation.name


def _parties(partnership: Partnership, *, with_us: bool = True, blank: str | None = None
             ) -> list[tuple[str, str]]:
    qs = PartnershipParty.objects.filter(partnership=partnership).select_related("organisation")
    rows = [(str(p.pk), party_label(p)) for p in qs if with_us or not p.is_us]
    return ([("", blank)] if blank is not None else []) + rows


class PartnershipForm(forms.Form):
    name = forms.CharField(max_length=200)
    why = forms.CharField(label="Why are we in this together?", max_length=20_000, **TEXT)
    starts_on = forms.DateField(label="Starts on", **DATE)
    ends_on = forms.DateField(label="For how long: ends on", required=False, **DATE)
    review_on = forms.DateField(label="Review on", required=False, **DATE,
                                help_text="When the partners look at it again")
    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The association's organisations (hold Ctrl or ⌘ to pick several); add a "
                  "new organisation on the partnership's page.")
    our_role = forms.CharField(label="Our role", max_length=200, required=False,
                               initial="Convenor")
    our_approver = forms.ChoiceField(label="Our approver", required=False, choices=(),
                                     help_text="The staff member who signs joint products "
                                               "for the association")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Organisation.objects.order_by("name")
        self.fields["our_approver"].choices = staff_choices()


class CharterForm(forms.Form):
    name = forms.CharField(max_length=200)
    why = forms.CharField(label="Why are we in this together?", max_length=20_000, **TEXT)
    starts_on = forms.DateField(label="Starts on", **DATE)
    ends_on = forms.DateField(label="Ends on", required=False, **DATE)
    review_on = forms.DateField(label="Review on", required=False, **DATE)
    status = forms.ChoiceField(choices=PartnershipStatus.choices)
    manager = forms.ChoiceField(label="Partnership manager", required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = staff_choices()


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    on = forms.DateField(label="Since", required=False, **DATE, help_text="Today if left empty")
    reason = forms.CharField(max_length=20_000, required=False, **TEXT,
                             help_text="Needed to step back to an earlier stage")


class CommonGroundForm(forms.Form):
    common_ground = forms.CharField(label="The common ground", max_length=20_000,
                                    required=False, widget=forms.Textarea(attrs={"rows": 5}))
    common_future = forms.CharField(label="The common future", max_length=20_000,
                                    required=False, **TEXT)


class PartyForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False,
                                          label="An organisation of ours", empty_label="—")
    organisation_name = forms.CharField(label="Or a new organisation", max_length=200,
                                        required=False)
    sector = forms.ChoiceField(choices=[("", "—"), *Sector.choices], required=False,
                               help_text="For a new organisation")
    role = forms.CharField(max_length=200, required=False)
    responsibilities = forms.CharField(max_length=20_000, required=False, **TEXT)
    is_lead = forms.BooleanField(label="A lead partner", required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = PartnershipParty.objects.filter(partnership=partnership,
                                                organisation__isnull=False)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            pk__in=taken.values("organisation_id")).order_by("name")


class PartyEditForm(forms.Form):
    role = forms.CharField(max_length=200, required=False)
    responsibilities = forms.CharField(max_length=20_000, required=False, **TEXT)
    is_lead = forms.BooleanField(label="A lead partner", required=False)
    left_on = forms.DateField(label="Left on", required=False, **DATE)
    approver_user = forms.ChoiceField(label="Our approver", required=False, choices=())

    def __init__(self, *args: Any, party: PartnershipParty, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if party.is_us:
            self.fields["approver_user"].choices = staff_choices()
            del self.fields["left_on"]
        else:
            del self.fields["approver_user"]


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.CharField(max_length=254)
    title = forms.CharField(max_length=200, required=False)
    is_approver = forms.BooleanField(label="Approves joint products for this partner",
                                     required=False)


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label="What it brings", choices=AssetKind.choices)
    resource = forms.ChoiceField(choices=[("", "—"), *ResourceKind.choices], required=False,
                                 help_text="For access to resources: which one")
    description = forms.CharField(max_length=20_000, required=False, **TEXT)


class DutyForm(forms.Form):
    title = forms.CharField(label="Responsibility", max_length=200)
    description = forms.CharField(max_length=20_000, required=False, **TEXT)


class StakeholderForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=StakeholderKind.choices, initial=StakeholderKind.OTHER)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False,
                                          empty_label="—")
    invited_on = forms.DateField(label="Invited on", required=False, **DATE)
    took_part = forms.BooleanField(label="Took part in the discussions", required=False)
    view = forms.CharField(label="Their view of the issue", max_length=20_000, required=False,
                           **TEXT)
    shares_common_ground = forms.BooleanField(label="Shares the common ground",
                                              required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")


class RiskForm(forms.Form):
    party = forms.ChoiceField(label="Who may be harmed", choices=())
    asset = forms.ChoiceField(label="Their asset at risk", required=False, choices=())
    relationship = forms.ChoiceField(label="Or the relationship at risk", required=False,
                                     choices=[("", "—"), *Relationship.choices])
    description = forms.CharField(label="How", max_length=20_000, **TEXT)
    likelihood = forms.ChoiceField(choices=SCALE, help_text="1 rare … 5 almost certain")
    impact = forms.ChoiceField(choices=SCALE, help_text="1 minor … 5 severe")
    mitigation = forms.CharField(max_length=20_000, required=False, **TEXT)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = _parties(partnership)
        self.fields["asset"].choices = [("", "—"), *[
            (str(a.pk), f"{party_label(a.party)}: {a.get_kind_display()}"
                        f"{' — ' + a.get_resource_display() if a.resource else ''}")
            for a in PartnerAsset.objects.filter(party__partnership=partnership)
            .select_related("party__organisation")]]


class RiskEditForm(forms.Form):
    status = forms.ChoiceField(choices=RiskStatus.choices)
    likelihood = forms.ChoiceField(choices=SCALE)
    impact = forms.ChoiceField(choices=SCALE)
    mitigation = forms.CharField(max_length=20_000, required=False, **TEXT)


class TrustForm(forms.Form):
    kind = forms.ChoiceField(choices=TrustKind.choices)
    occurred_on = forms.DateField(label="When", **DATE)
    effect = forms.ChoiceField(choices=[("1", "Built trust"), ("0", "Neutral"),
                                        ("-1", "Hurt trust")], initial="0")
    description = forms.CharField(label="What happened", max_length=20_000, **TEXT)
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), required=False,
                                         empty_label="— (outside our partnerships)")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = Partnership.objects.filter(
            parties__organisation=organisation).distinct().order_by("name")


class SectorForm(forms.Form):
    sector = forms.ChoiceField(choices=Sector.choices)


class ExchangeForm(forms.Form):
    party = forms.ChoiceField(choices=())
    kind = forms.ChoiceField(choices=ExchangeKind.choices)
    description = forms.CharField(max_length=250)
    value = forms.CharField(label="Value in money", max_length=20, required=False,
                            help_text="Where it can be put in money, e.g. 1200.50")

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = _parties(partnership)


class ClauseForm(forms.Form):
    kind = forms.ChoiceField(choices=ClauseKind.choices)
    party = forms.ChoiceField(label="Binds", required=False, choices=())
    text = forms.CharField(max_length=20_000, **TEXT)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = _parties(partnership, blank="Every party")


class ObjectiveForm(forms.Form):
    name = forms.CharField(label="Objective", max_length=200)
    accountability = forms.CharField(label="Accountability standard", max_length=20_000,
                                     required=False, **TEXT,
                                     help_text="How it is reported, by whom, how often")
    owner = forms.ChoiceField(label="Owned by", required=False, choices=())
    metric_key = forms.ChoiceField(label="Measured by (optional)", required=False, choices=())
    target = forms.CharField(max_length=20, required=False)
    due_on = forms.DateField(label="Due on", required=False, **DATE)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _parties(partnership, blank="—")
        choices = metric_choices()
        self.fields["metric_key"].choices = [("", "Not measured"), *choices[1:]]
