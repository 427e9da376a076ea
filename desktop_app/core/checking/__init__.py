"""The checks that run inside the checker process (core/check_worker.py), never in the app's.

Modules here import SymPy and math-verify at the top: only the checker child loads them.
"""
