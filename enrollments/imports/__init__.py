"""Bulk enrollment from CSV files: parsing, preview, jobs and reports (see ``api`` for the calls pages make)."""
