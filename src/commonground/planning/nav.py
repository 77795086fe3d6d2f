"""Planning pages in the staff navigation (see ``core.nav``). Order: plan 10, balance 20,
meetings 30, decisions 40, forms 50, manual 60, inbox 70 (negotiation's nav.py), the
metric catalogue 80."""

from commonground.core.nav import register

register(section="planning", label="Plan", url_name="plan_home", order=10,
         current=("strategic_plan_detail", "strategic_plan_list", "strategic_plan_new",
                  "strategic_plan_edit", "plan_why", "why_write",
                  "goal_new", "goal_detail", "goal_edit", "objective_new", "objective_detail",
                  "objective_edit"))

register(section="planning", label="Metrics", url_name="metric_catalogue",
         current=("metric_rows", "kpi_rows"), order=80)

# balance (helper E)
register(section="planning", label="Balance", url_name="balance", order=20,
         current=("balance_settings", "balance_costs"))
