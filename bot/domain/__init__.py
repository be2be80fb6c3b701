"""The vocabulary every layer speaks: queries (which ids name what), fetched histories, user-facing errors.

Imports neither boto3 nor Slack, so ``analysis/`` and ``views/`` stay pure in their imports too. The id
rules are read from botocore's bundled model data (a file, not a client).
"""
