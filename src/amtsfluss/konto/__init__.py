"""Citizen accounts (Bürgerkonto): optional, e-mail verified, per Mandant; a prefill source."""
