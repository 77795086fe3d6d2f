"""A partnership with organisations of the public, voluntary and private sectors.

Partners are ``people.Organisation`` rows of the association (their ``sector`` is the
one that decides, e.g. that a public body can't be bound by an exclusive clause); the
association itself is a party too (``is_us``), so its approver signs like every other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

MONEY = {"max_digits": 12, "decimal_places": 2}


class Stage(models.TextChoices):
    """How far the relationship has grown (interorganisational relations theory, seed 004)."""

    OBLIGATIONAL = "obligational", "Obligational"
    PROMOTIONAL = "promotional", "Promotional (action)"
    SYSTEMIC = "systemic", "Systemic (long-term)"


class PartnershipStatus(models.TextChoices):
    EXPLORING = "exploring", "Exploring"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class Partnership(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    # The charter: why we are in this together, for how long, when we look again.
    why = models.TextField(help_text="Why are we in this together?")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="For how long")
    review_on = models.DateField(null=True, blank=True)
    common_ground = models.TextField(blank=True, help_text="What the stakeholders share")
    common_future = models.TextField(blank=True, help_text="The future explored together")
    stage = models.CharField(max_length=14, choices=Stage.choices, default=Stage.OBLIGATIONAL)
    status = models.CharField(max_length=10, choices=PartnershipStatus.choices,
                              default=PartnershipStatus.EXPLORING)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "name"],
                                               name="partnership_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="stage_changes")
    from_stage = models.CharField(max_length=14, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=14, choices=Stage.choices)
    changed_on = models.DateField()
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["partnership", "changed_on", "id"]


class StakeholderKind(models.TextChoices):
    AUDIENCE = "audience", "Audience"
    ADVOCACY = "advocacy", "Advocacy group"
    REGULATOR = "regulator", "Regulator"
    PEER = "peer", "Peer organisation"
    COMPETITOR = "competitor", "Competitor"
    FUNDER = "funder", "Funder"
    OTHER = "other", "Other"


class Stakeholder(models.Model):
    """Someone invited to the first discussions, with their view of the issue."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="stakeholders")
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=StakeholderKind.choices,
                            default=StakeholderKind.OTHER)
    invited_on = models.DateField(null=True, blank=True)
    took_part = models.BooleanField(default=False)
    view = models.TextField(blank=True, help_text="Their view of the issue, in their words")
    shares_common_ground = models.BooleanField(default=False)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["partnership", "name"]


class PartnershipParty(models.Model):
    """A partner in a partnership (or the association itself, ``is_us``) and its role."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    is_us = models.BooleanField(default=False)
    is_lead = models.BooleanField(default=False)
    role = models.CharField(max_length=200, blank=True)
    responsibilities = models.TextField(blank=True)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    # Our own approver is a staff user; a partner's approvers are its PartnerContacts.
    approver_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"],
                                    name="partnership_party_unique"),
            models.UniqueConstraint(fields=["partnership"], condition=Q(is_us=True),
                                    name="partnership_party_one_us"),
            models.CheckConstraint(condition=Q(is_us=True) | Q(organisation__isnull=False),
                                   name="partnership_party_names_partner"),
        ]
        ordering = ["partnership", "-is_us", "id"]


class PartnerContact(models.Model):
    """A person at a partner; approvers sign the joint products for their partner."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(PartnershipParty, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    title = models.CharField(max_length=200, blank=True)
    is_approver = models.BooleanField(default=False)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "email"],
                                               name="partner_contact_unique_email")]
        ordering = ["party", "name"]


class AssetKind(models.TextChoices):
    """What a partner brings (seed 004)."""

    VISIBILITY = "visibility", "Visibility with audiences"
    CREDIBILITY = "credibility", "Credibility with influencers"
    RESOURCES = "resources", "Access to resources"


class ResourceKind(models.TextChoices):
    SALES_FORCE = "sales_force", "Sales force"
    DISTRIBUTION = "distribution", "Distribution channels"
    PRICING_HISTORY = "pricing_history", "Pricing history"
    PROMOTION = "promotion", "Promotional successes"
    RND = "rnd", "Research and development"
    MANUFACTURING = "manufacturing", "Manufacturing capacity"
    OTHER = "other", "Other"


class PartnerAsset(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(PartnershipParty, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=12, choices=AssetKind.choices)
    resource = models.CharField(max_length=16, choices=ResourceKind.choices, blank=True)
    description = models.TextField(blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["party", "kind", "id"]


class Relationship(models.TextChoices):
    """The relationships due diligence looks at (seed 004)."""

    AUDIENCES = "audiences", "Audiences"
    ADVOCACY = "advocacy", "Advocacy groups"
    REGULATORS = "regulators", "Regulators"
    STAKEHOLDERS = "stakeholders", "Stakeholders"
    PEERS = "peers", "Peers"
    COMPETITORS = "competitors", "Competitors"
    OTHER_PARTNERS = "other_partners", "Partners in other projects"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATED = "mitigated", "Mitigated"
    ACCEPTED = "accepted", "Accepted"


class DiligenceRisk(models.Model):
    """How the partnership may harm a party's asset or relationship, and what is done."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="risks")
    party = models.ForeignKey(PartnershipParty, on_delete=models.CASCADE, related_name="risks",
                              help_text="The party that may be harmed")
    asset = models.ForeignKey(PartnerAsset, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="risks")
    relationship = models.CharField(max_length=16, choices=Relationship.choices, blank=True)
    description = models.TextField()
    likelihood = models.PositiveSmallIntegerField(help_text="1 (rare) to 5 (almost certain)")
    impact = models.PositiveSmallIntegerField(help_text="1 (minor) to 5 (severe)")
    mitigation = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.CheckConstraint(
            condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
            name="diligence_risk_scales")]
        ordering = ["partnership", "-impact", "-likelihood", "id"]


class TrustKind(models.TextChoices):
    PAST_WORK = "past_work", "Past joint work"
    INCIDENT = "incident", "Incident"
    COMMENDATION = "commendation", "Commendation"


class TrustEvent(models.Model):
    """The trust record with a partner organisation: kept per organisation, across
    partnerships ("dance with the people you trust not to step on your toes")."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    partnership = models.ForeignKey(Partnership, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="trust_events")
    kind = models.CharField(max_length=14, choices=TrustKind.choices)
    occurred_on = models.DateField()
    description = models.TextField()
    effect = models.SmallIntegerField(default=0, help_text="-1 hurt trust, 0 neutral, +1 built it")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["organisation", "-occurred_on", "-id"]


class ExchangeKind(models.TextChoices):
    COST = "cost", "Cost"
    BENEFIT = "benefit", "Benefit"


class ExchangeItem(models.Model):
    """One line of the exchange (cost-benefit) case, for one party."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="exchange")
    party = models.ForeignKey(PartnershipParty, on_delete=models.CASCADE, related_name="exchange")
    kind = models.CharField(max_length=8, choices=ExchangeKind.choices)
    description = models.CharField(max_length=250)
    value = models.DecimalField(**MONEY, null=True, blank=True,
                                help_text="In money, where it can be put in money")

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["partnership", "party", "kind", "id"]


class ClauseKind(models.TextChoices):
    EXCLUSIVITY = "exclusivity", "Exclusivity"
    CONSTRAINT = "constraint", "Constraint"
    COMMITMENT = "commitment", "Commitment"


class Clause(models.Model):
    """A term of the arrangement. An exclusivity clause binding a public body is refused
    (a public body can't commit to exclusive relationships): ``partnerships.services``."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="clauses")
    party = models.ForeignKey(PartnershipParty, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="clauses", help_text="The party it binds, if one")
    kind = models.CharField(max_length=12, choices=ClauseKind.choices)
    text = models.TextField()

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["partnership", "kind", "id"]


class PartnershipObjective(models.Model):
    """An objective with its accountability standard (how, by whom, how often it is
    reported); optionally measured by a catalogue metric."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE,
                                    related_name="objectives")
    name = models.CharField(max_length=200)
    accountability = models.TextField(blank=True, help_text="The standard it is held to")
    owner = models.ForeignKey(PartnershipParty, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="objectives")
    metric_key = models.CharField(max_length=80, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    target = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, default="open")  # open / met / missed

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["partnership", "due_on", "id"]


class Responsibility(models.Model):
    """A named responsibility of one party (roles and responsibilities)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(PartnershipParty, on_delete=models.CASCADE,
                              related_name="duties")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["party", "id"]
