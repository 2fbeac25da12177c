import pytest
from cryptography.fernet import Fernet

from chats.tokens import TokenKeyError
from chats.tokens import token_decrypt
from chats.tokens import token_encrypt

SECRET = "vk1.a.super-secret-token-value"


def test_a_token_is_stored_encrypted_and_comes_back(settings):
    settings.SFERUM_TOKEN_KEY = Fernet.generate_key().decode()
    # when
    stored = token_encrypt(SECRET)
    # then
    assert SECRET not in stored
    assert token_decrypt(stored) == SECRET


def test_production_refuses_to_store_a_token_without_a_key(settings):
    settings.SFERUM_TOKEN_KEY = ""
    settings.SFERUM_TOKEN_KEY_DEV_FALLBACK = False
    with pytest.raises(TokenKeyError, match="SFERUM_TOKEN_KEY is not set"):
        token_encrypt(SECRET)


def test_development_derives_a_key_when_none_is_set(settings):
    settings.SFERUM_TOKEN_KEY = ""
    settings.SFERUM_TOKEN_KEY_DEV_FALLBACK = True
    assert token_decrypt(token_encrypt(SECRET)) == SECRET


def test_a_token_encrypted_with_another_key_fails_clearly_without_showing_it(settings):
    settings.SFERUM_TOKEN_KEY = Fernet.generate_key().decode()
    stored = token_encrypt(SECRET)
    settings.SFERUM_TOKEN_KEY = Fernet.generate_key().decode()
    with pytest.raises(TokenKeyError) as excinfo:
        token_decrypt(stored)
    assert SECRET not in str(excinfo.value)
    assert excinfo.value.__cause__ is None


def test_an_invalid_key_is_reported(settings):
    settings.SFERUM_TOKEN_KEY = "not-a-key"
    with pytest.raises(TokenKeyError, match="not a valid Fernet key"):
        token_encrypt(SECRET)
