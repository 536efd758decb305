"""Channel backends: the only code that reaches a debtor (tests/unit/test_no_contact_without_a_decision.py
keeps it so). Each takes the message and the compliance gate's decision for it, and refuses to send
without a decision that allows it."""
