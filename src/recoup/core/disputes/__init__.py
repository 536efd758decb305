"""Disputes and complaints in the pure core: their kinds, states and allowed transitions
(`model`), and the legal clocks each jurisdiction starts when one is received (`clocks`)."""
