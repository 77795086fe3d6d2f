"""Every write of the recognition app: tiers and their evaluation (``tiers``), nominations
and awards (``awards``), the issuer and its key (``issuer``), the expert network and the
public-page choice (``experts``)."""

from .awards import (
    award_issue,
    award_revoke,
    identity_hash,
    nomination_create,
    nomination_decide,
)
from .experts import expert_profile_save, expert_vet, member_recognition_set
from .issuer import issuer_get, issuer_save
from .tiers import DEFAULT_TIERS, Evaluation, tier_save, tiers_evaluate, tiers_install_defaults

__all__ = [
    "DEFAULT_TIERS", "Evaluation", "award_issue", "award_revoke", "expert_profile_save",
    "expert_vet", "identity_hash", "issuer_get", "issuer_save", "member_recognition_set",
    "nomination_create", "nomination_decide", "tier_save", "tiers_evaluate",
    "tiers_install_defaults",
]
