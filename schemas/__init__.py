"""Contracts: Arrow/Spark schemas of stage outputs, recipe models (pydantic), expectation suites."""
