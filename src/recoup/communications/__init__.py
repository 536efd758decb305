"""Messages to debtors: versioned templates, the outbox and its delivery worker."""
