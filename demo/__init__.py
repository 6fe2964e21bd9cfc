"""The demo data set `make run` serves."""
