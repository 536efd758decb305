"""Small cross-cutting helpers below every app: configuration, logging, bulk writes, jobs."""
