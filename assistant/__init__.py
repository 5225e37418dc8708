"""Sentra IKM Assistant: answers Indonesian questions about Sentra IKM regulations with pasal-level citations."""

__version__ = "0.1.0"
