"""Collaboration's models, one module per area. Every row carries the association that
owns it (the coordinator, the provider, the grantor, the participant); rows another
association may see are read only through ``collaboration.crossing``."""

from .consortia import (
    Characteristic,
    CharacteristicAssessment,
    Consortium,
    ConsortiumMember,
    DecisionRule,
    Level,
    MemberStatus,
)
from .initiatives import (
    ContributionKind,
    InitiativeContribution,
    InitiativeKind,
    InitiativeObjective,
    InitiativeParticipant,
    InitiativeRevenue,
    InitiativeSnapshot,
    InitiativeStatus,
    JointInitiative,
    RevenueShare,
    SplitMethod,
)
from .shared import (
    AllocationLine,
    AllocationMethod,
    AllocationRule,
    AllocationRun,
    AllocationShare,
    CostItem,
    CostPeriod,
    PeriodStatus,
    RunKind,
    ServiceStatus,
    ServiceSubscription,
    SharedService,
)
from .sharing import AgreementStatus, SharedRead, SharingAgreement, SharingConsent

__all__ = [
    "AgreementStatus", "AllocationLine", "AllocationMethod", "AllocationRule", "AllocationRun",
    "AllocationShare", "Characteristic", "CharacteristicAssessment", "Consortium",
    "ConsortiumMember", "ContributionKind", "CostItem", "CostPeriod", "DecisionRule",
    "InitiativeContribution", "InitiativeKind", "InitiativeObjective", "InitiativeParticipant",
    "InitiativeRevenue", "InitiativeSnapshot", "InitiativeStatus", "JointInitiative", "Level",
    "MemberStatus", "PeriodStatus", "RevenueShare", "RunKind", "ServiceStatus",
    "ServiceSubscription", "SharedRead", "SharedService", "SharingAgreement", "SharingConsent",
    "SplitMethod",
]
