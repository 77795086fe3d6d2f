"""Identities: which person an identifier a feed carries (email, its hash, a feed's own
id, an anonymous visitor id) belongs to.

Below both the ingest pipeline and the activity services, which use it: ``selectors``
resolves identifiers to people (reads), ``services`` ties identifiers to people and
keeps the email hashes in step (writes).
"""
