"""Engagement pages in the staff navigation and the portal bar (see ``core.nav``)."""

from commonground.core.nav import register, register_portal

register(section="engagement", label="Contributions", url_name="contribution_queue", order=20)
register(section="engagement", label="Peer groups", url_name="group_list",
         current=("group_detail",), order=40)
register(section="settings", label="Taxonomies", url_name="taxonomy_list",
         current=("trait_edit",), order=60)

register_portal(label="Why I belong", url_name="traits", order=20)
register_portal(label="My outcomes", url_name="outcomes", current=("outcome_edit",), order=25)
register_portal(label="My contributions", url_name="contributions",
                current=("contribution_edit",), order=30)
register_portal(label="Peer groups", url_name="groups", order=40)
register_portal(label="Notices", url_name="notices", order=90)
