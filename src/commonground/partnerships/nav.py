"""Partnership pages in the staff navigation (see ``core.nav``): partnerships 40, joint
products and approvals 50 (after collaboration's consortia, services and sharing)."""

from commonground.core.nav import register

from .selectors_products import waiting_count

# approvals (H5): joint products; the badge counts what waits for you as our approver.
register(section="collaboration", label="Joint products", url_name="joint_product_list",
         order=50, current=("joint_product_new", "joint_product_detail", "joint_product_edit"),
         badge=waiting_count)
# partners (H4): the partnerships, their pages and the partner organisations' pages.
register(section="collaboration", label="Partnerships", url_name="partnership_list", order=40,
         current=("partnership_new", "partnership_detail", "partnership_edit",
                  "stakeholder_edit", "diligence_risk_edit", "partner_party",
                  "partner_detail"))
