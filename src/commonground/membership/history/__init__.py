"""Membership history import: terms, renewals and payments exported from another system.

Entry points: ``services.history_prepare`` (check the file and its plans, create or
resume a ``HistoryBatch``) and ``engine.run_batch`` (run it, member by member, a chunk
of whole members per transaction). The CLI command (``commonground import memberships``),
the background task and the Import page all go through these two.
"""
