"""Contact compliance in the product: holds, the contact ledger and the gate every contact passes."""
