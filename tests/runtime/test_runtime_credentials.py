"""Credential resolution and masking."""

from __future__ import annotations

import pytest
from acs_sdkgen.runtime import Credentials, CredentialsError, resolve_credentials

ENV = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenvid",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
    "ALIBABA_CLOUD_SECURITY_TOKEN": "env-token",
}


def test_explicit_arguments_win() -> None:
    creds = resolve_credentials("LTAIexplicit", "explicit-secret", None, environ=ENV)
    assert creds == Credentials("LTAIexplicit", "explicit-secret", None)


def test_environment_fallback_includes_token() -> None:
    assert resolve_credentials(None, None, None, environ=ENV) == Credentials(
        "LTAIenvid", "env-secret", "env-token"
    )


def test_env_token_is_not_paired_with_an_explicit_key() -> None:
    creds = resolve_credentials("LTAIexplicit", "explicit-secret", None, environ=ENV)
    assert creds.security_token is None
    assert resolve_credentials("a", "b", "t", environ={}).security_token == "t"


def test_missing_credentials_name_the_variables() -> None:
    with pytest.raises(CredentialsError) as info:
        resolve_credentials(None, None, None, environ={})
    message = str(info.value)
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in message
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in message
    with pytest.raises(CredentialsError) as info:
        resolve_credentials("LTAIsome-id", None, None, environ={})
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in str(info.value)
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" not in str(info.value)
    assert "LTAIsome-id" not in str(info.value)


def test_real_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIfromenv")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    assert resolve_credentials(None, None, None).access_key_id == "LTAIfromenv"


def test_repr_masks_secret_and_token() -> None:
    creds = Credentials("LTAI5tAbcdef", "super-secret-value", "sts-token-value")
    text = repr(creds)
    assert text == (
        "Credentials(access_key_id='LTAI...', access_key_secret='***', "
        "security_token='***')"
    )
    assert "super-secret" not in str(creds)
    assert repr(Credentials("LTAI5tAbcdef", "x")).endswith("security_token=None)")


def test_credentials_are_frozen() -> None:
    creds = Credentials("a", "b")
    with pytest.raises(AttributeError):
        creds.access_key_secret = "c"  # type: ignore[misc]
