"""Reporters (a domain between `roster` and `auth`): the crews (ambulance, AMK, legevakt,
Feltpleien) who send alerts with the form for crews (`/skjema`, app/web/form.py), each with
their own sign-in, bound to the municipalities they may report for."""
