"""Reporters: documents for people and machines, made from records only.

Nothing here imports spaCy, torch or a model; every function takes `Report` records (or plain
dicts) and returns text. Everything quoted from a nomination is escaped for its format.
"""
