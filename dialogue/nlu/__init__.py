"""Catalog-aware understanding inside Rasa NLU pipeline."""
