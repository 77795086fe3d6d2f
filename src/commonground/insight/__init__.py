"""Insight (D5): who is likely to lapse and why, which non-members are likely to join, with
calibrated models trained on the association's own history and model cards."""
