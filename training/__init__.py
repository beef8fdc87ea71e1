"""Trains the shipped models (``python -m training.ner``, ``python -m training.boilerplate``).

Run from a checkout's root. The runtime package ``newsweave`` never imports this one.
"""
