"""The open data API's blueprints."""
