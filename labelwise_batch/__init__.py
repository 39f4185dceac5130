"""Classify PubMed baseline and update files (or JSONL) on Ray Data: `python -m labelwise_batch --help`."""
