"""Every write of the engagement app. Callers import from here."""

from .contributions import (
    TRANSITIONS,
    contribution_create,
    contribution_record,
    contribution_reject,
    contribution_update,
    contribution_verify,
    contribution_withdraw,
)
from .groups import (
    group_contributions_infer,
    group_decide,
    group_join,
    group_leave,
    group_propose,
)
from .inference import contributions_infer, traits_infer
from .notices import notice_send, notices_mark_read
from .outcomes import outcome_create, outcome_delete, outcome_update
from .people import person_engagement_erase, person_merge_prepare, value_changed_send
from .taxonomy import ensure_taxonomy, parse_synonyms, taxonomy_install_defaults, trait_save
from .traits import member_traits_set, traits_survey_save

__all__ = [
    "TRANSITIONS", "contribution_create", "contribution_record", "contribution_reject",
    "contribution_update", "contribution_verify", "contribution_withdraw", "contributions_infer",
    "ensure_taxonomy", "group_contributions_infer", "group_decide", "group_join",
    "group_leave", "group_propose", "member_traits_set", "notice_send", "notices_mark_read",
    "outcome_create", "outcome_delete", "outcome_update", "parse_synonyms",
    "person_engagement_erase", "person_merge_prepare", "taxonomy_install_defaults", "trait_save",
    "traits_infer", "traits_survey_save", "value_changed_send",
]
