"""The E-Rechnung staff pages: Rechnungseingangsbuch, upload, an invoice with its approval,
the Kasse's Zahlungslauf, and their files.

Every view starts with ``staff_principal`` (the area guard), fetches each object named in the
URL with ``access_rechnung``/``access_zahlungslauf`` (404 unless permitted; the refusal is
audited) and leaves every change to the services in ``rechnung/services``. Lists come from the
selectors: one filtering query, never a loop of checks.
"""
