"""Activity ingestion: files, API batches and webhook deliveries, chunk by chunk.

``readers`` streams a file as frames of text cells, ``dates`` parses timestamps
column-wise, ``transform`` applies a mapping to a frame (rows → activity values or
rejects), ``write`` resolves identities and writes a chunk set-based, ``engine`` runs a
batch chunk by chunk (resumable).
"""
