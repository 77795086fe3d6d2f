"""Outreach lists with a random holdout, the contacts made, and the measured effect on
renewals (D5): whether outreach works, not only whom it flagged."""
