"""Suggestions where received post belongs: rules (Aktenzeichen, Kassenzeichen, sender) first,
then a model trained on the Mandant's own filed documents (scikit-learn)."""
