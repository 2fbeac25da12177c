"""The quarterly roster reconciliation: the official roster against Sferum membership (CLI.md, roster_reconcile).

- matching: the comparison of the two sides, pure (the categories are explained there);
- comparison: loading both sides and `reconciliation_compute` (reads only);
- services: stored reconciliations, open, run, resolve, sign off (writes);
- selectors: quarters, states and items for pages, the dashboard and the opening job (reads);
- notification: the quarterly e-mail to the school's administrators;
- roster_changes: arrivals and departures confirmed by a sync that agrees.
"""
