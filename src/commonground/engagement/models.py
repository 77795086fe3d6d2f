"""What members want, get and give (D4).

- ``Trait``: the association's taxonomies of motivations, skills and interests, each entry
  with synonyms (matching reads them).
- ``MemberTrait``: one person's motivation, skill or interest, from one source: the member
  (the portal survey), staff, or inferred from activity (with its evidence). Several
  sources may hold the same trait; the member's own answer wins when they disagree.
- ``Outcome``: value derived, an outcome a member got (a client won, a promotion…), dated,
  optionally tied to the offering or person that produced it.
- ``Contribution``: value created (a talk, an article, mentoring…). It counts only once
  staff have verified it; inferred ones (from the activity stream) and ones from completed
  opportunities or approved peer groups wait for verification the same way.
- ``PeerGroup`` and ``GroupMember``: member-generated groups, proposed by members and
  approved by staff; their organisers' group work counts as value created.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association


class TraitKind(models.TextChoices):
    MOTIVATION = "motivation", "Motivation"
    SKILL = "skill", "Skill or expertise"
    INTEREST = "interest", "Interest"


class Trait(models.Model):
    """One entry of an association's taxonomy (a motivation, a skill, an interest)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=TraitKind.choices)
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    # Other words for the same thing ("public speaking" for "speaking"): matching and the
    # inference read them; lower-cased.
    synonyms = models.JSONField(default=list, blank=True)
    # Where a motivation comes from: "seed003" (the seven of the source article) or "vfi"
    # (the Volunteer Functions Inventory's six functions); blank for the association's own.
    framework = models.CharField(max_length=10, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "slug"], name="trait_unique_slug"),
        ]
        ordering = ["kind", "order", "name"]

    def __str__(self) -> str:
        return self.name


class TraitSource(models.TextChoices):
    MEMBER = "member", "Stated by the member"
    STAFF = "staff", "Recorded by staff"
    INFERRED = "inferred", "Inferred from activity"


class MemberTrait(models.Model):
    """A person's motivation, skill or interest as one source holds it."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="traits")
    trait = models.ForeignKey(Trait, on_delete=models.CASCADE, related_name="holders")
    source = models.CharField(max_length=8, choices=TraitSource.choices)
    # 1..5: how much this motivates the member / how proficient they are / how interested.
    strength = models.PositiveSmallIntegerField(default=3)
    # Inferred traits: what in the stream suggested it ({"kinds": {...}, "share": 0.4, …}).
    evidence = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "person", "trait", "source"],
                                    name="membertrait_unique_source"),
            models.CheckConstraint(condition=Q(strength__gte=1, strength__lte=5),
                                   name="membertrait_strength_range"),
        ]
        indexes = [models.Index(fields=["association", "trait", "source"],
                                name="membertrait_trait_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.trait_id} ({self.source})"


class OutcomeKind(models.TextChoices):
    CLIENT_WON = "client_won", "Client or business won"
    PROMOTION = "promotion", "Promotion or new role"
    NEW_SKILL = "new_skill", "New skill"
    CERTIFICATION = "certification", "Certification or credential"
    CONNECTION = "connection", "Connection made"
    VISIBILITY = "visibility", "Visibility gained"
    INSIGHT = "insight", "Insider knowledge or early access"
    PROBLEM_SOLVED = "problem_solved", "Problem solved with peers' help"
    OTHER = "other", "Other"


class ReportedVia(models.TextChoices):
    MEMBER = "member", "The member"
    STAFF = "staff", "Staff"


class Outcome(models.Model):
    """Value derived: something a member got, dated, optionally from an offering or a person."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=16, choices=OutcomeKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_on = models.DateField()
    offering = models.ForeignKey("membership.Offering", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # The person (another member, a speaker, a mentor) who made it happen, if any.
    via_person = models.ForeignKey("people.Person", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reported_via = models.CharField(max_length=6, choices=ReportedVia.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "person", "-occurred_on"],
                                name="outcome_person_idx")]
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ContributionKind(models.TextChoices):
    TALK = "talk", "Talk or presentation"
    ARTICLE = "article", "Article or content"
    TEACHING = "teaching", "Teaching a course"
    MENTORING = "mentoring", "Mentoring"
    MODERATING = "moderating", "Moderating a community"
    CHAPTER_LEADERSHIP = "chapter_leadership", "Chapter leadership"
    COMMITTEE = "committee", "Committee or board work"
    REFERRAL = "referral", "Member referral"
    CORPORATE_INTRO = "corporate_intro", "Corporate introduction"
    PROGRAMME_INNOVATION = "programme_innovation", "Programme innovation"
    PEER_GROUP = "peer_group", "Member-generated group"
    DISCOVERED_DEMAND = "discovered_demand", "Discovered demand"
    FORUM_ANSWER = "forum_answer", "Answering peers' questions"
    EXPERT_CONSULT = "expert_consult", "Expert consultation"
    VOLUNTEERING = "volunteering", "Volunteering"
    OTHER = "other", "Other"


class ContributionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Not verified"


class ContributionOrigin(models.TextChoices):
    MEMBER = "member", "Submitted by the member"
    STAFF = "staff", "Recorded by staff"
    INFERRED = "inferred", "Inferred from activity"
    OPPORTUNITY = "opportunity", "A completed opportunity"
    GROUP = "group", "A member-generated group"


class Contribution(models.Model):
    """Value created. Counts toward the score, tiers and badges only once verified."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="contributions")
    kind = models.CharField(max_length=24, choices=ContributionKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_on = models.DateField()
    hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    offering = models.ForeignKey("membership.Offering", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # The association goal it serves. Goals arrive with planning (D6); until then a label.
    goal = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=ContributionStatus.choices,
                              default=ContributionStatus.SUBMITTED)
    origin = models.CharField(max_length=12, choices=ContributionOrigin.choices)
    # What produced it, for origins other than member/staff: "activity:<id>",
    # "opportunity:<id>", "group:<id>:<yyyy-mm>". Unique per association, so inferring or
    # completing again adds nothing (idempotent).
    origin_ref = models.CharField(max_length=80, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "origin_ref"],
                                    name="contribution_unique_origin",
                                    condition=~Q(origin_ref="")),
        ]
        indexes = [
            models.Index(fields=["association", "person", "-occurred_on"],
                         name="contribution_person_idx"),
            models.Index(fields=["association", "status", "-created_at"],
                         name="contribution_queue_idx"),
        ]
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title


class GroupStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"


class PeerGroup(models.Model):
    """A member-generated group: proposed by a member, approved by staff."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64)
    purpose = models.TextField()
    # The forum category (activity metadata "forum") where the group talks, if it has one:
    # its members' posts there are the group's activity.
    forum = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=GroupStatus.choices,
                              default=GroupStatus.PROPOSED)
    proposed_by = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="peergroup_unique_slug"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupRole(models.TextChoices):
    ORGANISER = "organiser", "Organiser"
    MEMBER = "member", "Member"


class GroupMember(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=GroupRole.choices, default=GroupRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "group", "person"],
                                    name="groupmember_unique"),
        ]


class Notice(models.Model):
    """A message to one member: shown on the portal's Notices page and emailed to them.

    Invitations (opportunities), verification decisions and group decisions reach members
    this way; ``emailed_at`` stays empty when the person has no address or sending failed
    (the portal copy is the record either way).
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="notices")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # Where the notice leads (a portal path such as "/m/acme/contributions/"), if anywhere.
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "person", "-created_at"],
                                name="notice_person_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
