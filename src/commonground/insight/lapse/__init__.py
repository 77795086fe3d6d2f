"""The lapse-risk model: who is likely not to renew at their next renewal date, and why.

``features`` names and words every signal; ``dataset`` computes them point-in-time (as of a
cutoff, never from later data) for the past renewal decisions the model learns from and for
the members scored today.
"""
