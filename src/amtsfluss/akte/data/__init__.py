"""Data files of the E-Akte (the demo Aktenplan), read with importlib.resources."""
