"""The E-Akte staff pages: Posteingang, Aktenplan, Akten, Vorgänge and their files.

Every view starts with ``staff_principal`` (the area guard), fetches each object named in the
URL with the ``access_*`` helpers (404 unless permitted; confidential reads audited) and leaves
every change to the services in ``akte/services``. Lists come from the selectors or from
``permitted()``: one filtering query, never a loop of checks.
"""
