"""Tests of coopwork.figures (a package so that test module names do not clash with tests/analysis)."""
