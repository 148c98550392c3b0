"""E-Rechnung: receiving and validating electronic invoices (XRechnung, EN 16931)."""
