"""Partnerships' models: the relationship (``partnership``) and its joint work (``products``)."""

from .partnership import (
    AssetKind,
    Clause,
    ClauseKind,
    DiligenceRisk,
    ExchangeItem,
    ExchangeKind,
    PartnerAsset,
    PartnerContact,
    Partnership,
    PartnershipObjective,
    PartnershipParty,
    PartnershipStatus,
    Relationship,
    ResourceKind,
    Responsibility,
    RiskStatus,
    Stage,
    StageChange,
    Stakeholder,
    StakeholderKind,
    TrustEvent,
    TrustKind,
)
from .products import (
    ApprovalDecision,
    JointProduct,
    ProductApproval,
    ProductCredit,
    ProductKind,
    ProductStatus,
    QualityReview,
)

__all__ = [
    "ApprovalDecision", "AssetKind", "Clause", "ClauseKind", "DiligenceRisk", "ExchangeItem",
    "ExchangeKind", "JointProduct", "PartnerAsset", "PartnerContact", "Partnership",
    "PartnershipObjective", "PartnershipParty", "PartnershipStatus", "ProductApproval",
    "ProductCredit", "ProductKind", "ProductStatus", "QualityReview", "Relationship",
    "ResourceKind", "Responsibility", "RiskStatus", "Stage", "StageChange", "Stakeholder",
    "StakeholderKind", "TrustEvent", "TrustKind",
]
