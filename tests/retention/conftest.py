from tests.cli import odvarsel as odvarsel
