"""The routes of the web service: pages (HTML, GOV.UK) and the JSON API under /api/v1."""
