"""Answers to an account manager's daily questions, computed in the database.

One module per question; each is a keyword-only async function taking a ``Visibility`` and
returning plain dataclasses, with every figure computed by aggregate SQL held to what the
viewer may see (``Visibility(viewer).condition(Model)``), per currency, in exact decimals.
"""
