"""The negotiation app's pages in the staff navigation's Planning section (see
``core.nav``). Order numbers: meetings 30, decisions 40, forms 50, manual 60, inbox 70."""

from commonground.core.nav import register

register(section="planning", label="Meetings", url_name="meeting_list", order=30,
         current=("meeting_new", "meeting_detail", "series_new", "action_item_list"))
register(section="planning", label="Operations manual", url_name="manual_list", order=60,
         current=("manual_page_detail", "manual_page_edit", "manual_page_diff",
                  "manual_revision_detail"))


def _unread(request) -> int:
    # Here, not at the top: nav modules load while the app registry is still settling.
    from .selectors_meetings import unread_count

    return unread_count(user=request.user)


register(section="planning", label="Inbox", url_name="inbox", order=70, badge=_unread)

# The decisions part: joint decisions and the dual-input forms.
register(section="planning", label="Decisions", url_name="decision_list", order=40,
         current=("decision_new", "decision_detail", "decision_type_list", "decision_type_new",
                  "decision_type_edit"))
register(section="planning", label="Appraisals & schedules", url_name="dual_form_list",
         order=50, current=("dual_form_new", "dual_form_detail"))
