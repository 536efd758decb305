"""Pure Python domain logic: no Django, no I/O, no clock. Callers pass `as_of` or `now`."""
