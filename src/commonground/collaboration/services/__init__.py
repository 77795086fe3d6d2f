"""Collaboration's writes, one module per area (import from the module: ``services.consortia``,
``services.shared``, ``services.initiatives``, ``services.sharing``). Every write is
keyword-only, atomic, validated and audited; a write that concerns two associations
audits in both."""
