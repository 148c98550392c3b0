"""The content of an e-invoice (EN 16931 semantic model), read from UBL or CII."""
