"""File batches: every kind of bulk work that reads a file (or rows) chunk by chunk.

A *kind* (the roster import "people", the activity ingest "activities", later the
recomputes and model training) registers itself from its app's ``AppConfig.ready()``
(``registry.register``) with the function that runs one batch. This package owns what
every kind shares and none of them should write again:

- ``models``    the abstract ``FileBatch`` (file, options, status, progress, owner) and
                ``BatchStatus``;
- ``ownership`` claim and heartbeat: which process runs a batch, and whether it is alive;
- ``engine``    running a batch (claim, scope, failure), a chunk's transaction, finishing;
- ``files``     the batch's folder in the data dir and the stored copy of its file;
- ``errors``    the rejected rows: one part per chunk, assembled into one errors CSV;
- ``readers``   CSV (encoding, delimiter), XLSX and JSON Lines, as rows or as blocks;
- ``tasks``     the one background task, ``run_batch(kind, batch_id)``;
- ``cli``       foreground or background, following a batch with a progress bar.

It imports no commonground app: kinds reach it, never the reverse.
"""
