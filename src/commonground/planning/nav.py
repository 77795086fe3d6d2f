"""Planning pages in the staff navigation (see ``core.nav``); each part of the plan adds
its own line, in the order the PLAN gives (plan 10, balance 20)."""

from commonground.core.nav import register

register(section="planning", label="Plan", url_name="plan_home", order=10,
         current=("plan_detail", "plan_list", "plan_new", "plan_edit", "plan_why", "why_write",
                  "goal_new", "goal_detail", "goal_edit", "objective_new", "objective_detail",
                  "objective_edit"))
