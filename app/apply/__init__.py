"""Configuration as code: a municipality described in one YAML file (`odvarsel apply`).

Above the domains, beside `cli.py` and `demo.py`: it reads the file (`reading`, `schema`) and
applies each part through the services the admin API uses (`documents`, `teams`, `clients`),
one transaction for the whole file (`service`). README, "A municipality in one file".
"""
