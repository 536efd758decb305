"""The `recoup` command line for operators."""
