"""Indonesian text: the lexicon data files analysis reads."""
