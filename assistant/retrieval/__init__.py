"""The second retrieval stage: candidates from both rankers, their features, and learned rankers."""
