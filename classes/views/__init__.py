"""Pages of the classes app: class management and the school profile (views.classes), the official roster's
upload and import log, arrivals and departures and a student's page (views.roster, with views.roster_uploads
for the files the worker reads)."""
