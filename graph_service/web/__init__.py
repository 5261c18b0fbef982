"""The web app for people (DESIGN.md section 10): routes, templates, static files and pictures."""
