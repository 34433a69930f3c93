"""Pages of volunteer service, one module per sub-domain (see urls.py)."""
