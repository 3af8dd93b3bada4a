"""Fixtures for the safe-autograding tests: a throw-away course built from a real exercise."""
