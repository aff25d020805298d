"""The end-of-run check finds a secret, a JWT, a bearer header, a password hash, a card token
or an email in an error line in any log of the run, and nothing in clean lines
(tests/log_hygiene.py; the run fails on a find)."""

from __future__ import annotations

from pathlib import Path

from tests.log_hygiene import leaks

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


def test_secrets_tokens_and_bearer_headers_are_found_by_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "pytest.jsonl").write_text(
        '{"event": "request_finished", "path": "/api/v1/me", "status": 200}\n'
        '{"event": "login_failed", "password": "correct horse battery staple"}\n'
    )
    (tmp_path / "serve-1.log").write_text(
        f'{{"event": "oops", "token": "{JWT}"}}\n'
        '{"event": "oops", "authorization": "Bearer sk_test_orion_0123456789"}\n'
    )

    found = leaks(tmp_path, {"admin password": "correct horse battery staple"})

    assert found == [
        "pytest.jsonl:2: admin password",
        "serve-1.log:1: a JWT",
        "serve-1.log:2: a bearer header",
    ]


def test_ids_hashes_and_trace_ids_are_not_taken_for_secrets(tmp_path: Path) -> None:
    (tmp_path / "pytest.jsonl").write_text(
        '{"event": "message_consumed", "message_id": "01a21899-0061-79ec-8e40-8ed0b18dd5f6",'
        ' "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",'
        ' "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}\n'
    )

    assert leaks(tmp_path, {"admin password": "correct horse battery staple"}) == []


def test_hashes_card_tokens_and_emails_in_error_lines_are_found(tmp_path: Path) -> None:
    (tmp_path / "pytest.jsonl").write_text(
        '{"event": "request_failed", "level": "error", "exception": "DBAPIError [parameters: '
        "('ada@example.com', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')]\"}\n"
        '{"event": "payment_failed", "level": "info", "card": "tok_insufficient_funds"}\n'
        '{"event": "email_sent", "level": "info", "recipient": "ada@example.com"}\n'
        "Traceback (most recent call last): KeyError: 'grace@example.org'\n"
    )

    assert leaks(tmp_path, {}) == [
        "pytest.jsonl:1: a password hash",
        "pytest.jsonl:1: an email in an error line",
        "pytest.jsonl:2: a card token",
        "pytest.jsonl:4: an email in an error line",
    ]
