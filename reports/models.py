"""Models of the reports layer (metrics, reconciliation, audit) come with their issues."""
