"""The one owner of writes: lock, staging or transaction, corrections, checks, aggregates, swap."""
