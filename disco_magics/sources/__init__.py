"""Where measured data comes from when it is not a DataFrame in the kernel.

``sql``: a query aggregated where the data lives — an embedded DuckDB by default (Parquet and CSV files,
DataFrames in the notebook by name), or any database SQLAlchemy has a dialect for. Imported on first use:
it pulls in SQLAlchemy, and DuckDB when the default connection is used.
"""
