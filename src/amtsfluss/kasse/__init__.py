"""Kasse: Forderungen, Kassenzeichen, GiroCode, payment page, CAMT.053, online payment."""
