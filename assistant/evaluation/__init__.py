"""Measuring the product (metrics, baselines) and fitting its learned parts on train.jsonl."""
