"""Runs the fake Twilio server as its own process, for benchmarks and multi-process tests."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

AUTH_TOKEN = "bench-twilio-auth-token-0123456789"
ACCOUNT_SID = "AC" + "b" * 32


@dataclass
class FakeTwilioProcess:
    base_url: str
    auth_token: str = AUTH_TOKEN

    def messages(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.base_url}/_fake/messages", timeout=30)
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()
        return messages

    def reset(self) -> None:
        httpx.post(f"{self.base_url}/_fake/reset", timeout=10).raise_for_status()

    def sms_env(self, public_base_url: str) -> dict[str, str]:
        """Settings that point the service at this fake."""
        return {
            "SMS__BACKEND": "twilio",
            "SMS__TWILIO_BASE_URL": self.base_url,
            "SMS__TWILIO_AUTH_TOKEN": self.auth_token,
            "SMS__TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "HTTP__PUBLIC_BASE_URL": public_base_url,
        }


@contextlib.contextmanager
def fake_twilio(*, status_callbacks: bool = True) -> Iterator[FakeTwilioProcess]:
    """The fake as a process; without status callbacks it stays cheap under load."""
    command = [sys.executable, "-m", "devtools.fake_twilio", "--port", "0"]
    command += ["--auth-token", AUTH_TOKEN] + ([] if status_callbacks else ["--no-callbacks"])
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("FAKE_TWILIO_BASE_URL="):
            raise RuntimeError("the fake Twilio did not start")
        yield FakeTwilioProcess(base_url=line.split("=", 1)[1])
    finally:
        process.terminate()
        process.wait(timeout=10)
