"""The reports app's endpoints under /api/v1/: schools with their stored figures, classes with their rates, weekly
activity, activation snapshots and reconciliations, each read from what the nightly jobs stored."""
