"""Scale tools: a deterministic data generator and a benchmark of the key pages.

`flask --app app bench generate --scale metro|national|small [--seed N]` fills the database;
`python -m bench run` measures the pages under gunicorn (see bench/README.md).
"""
