"""Recognition pages in the staff navigation and the portal bar (see ``core.nav``)."""

from commonground.core import nav

nav.register(section="engagement", label="Recognition", url_name="recognition_home", order=40,
             current=("recognition_tier_create", "recognition_tier_edit", "recognition_awards"))
nav.register(section="engagement", label="Experts", url_name="recognition_experts", order=45)
nav.register(section="settings", label="Badges", url_name="recognition_issuer", order=80)
nav.register_portal(label="Recognition", url_name="recognition", order=60,
                    current=("recognition_nominate",))
nav.register_portal(label="Experts", url_name="recognition_experts", order=65,
                    current=("recognition_expert_apply",))
