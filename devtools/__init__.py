"""Test doubles and helpers for tests and benchmarks (fake Twilio, loopback server).

Not part of the service: the wheel packages only `app`, and the Docker image leaves this out.
"""
