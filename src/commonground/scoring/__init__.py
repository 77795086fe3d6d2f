"""The engagement score: a versioned, explained model over the activity stream, outcomes and verified
contributions; snapshots and levels (D4).
"""
