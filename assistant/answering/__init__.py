"""From retrieved passages to an answer: when to decline, what to quote, how to cite."""
