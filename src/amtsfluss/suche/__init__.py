"""Full-text search over the E-Akte's Dokumente, the permission filter inside the query.

See docs/design/suche.md.
"""
