"""The error of the reconciliation that people see: what cannot run or change, and what to do."""


class ReconciliationError(Exception):
    """The reconciliation cannot run or change; the message says why and what to do."""
