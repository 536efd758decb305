"""The staff UI: server-rendered pages with htmx, the health check, security headers."""
