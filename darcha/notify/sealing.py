"""Sealing a message's one-time secrets (codes) while it waits to be delivered.

Why: a message is rendered again at each delivery attempt, so a retry after a network error or a
worker that died still sends the real code. The code must therefore be kept somewhere until the
message is delivered — but never in clear: not in the body (shown in the admin), not in the context
(a database dump, a backup, an archived WAL segment or a dead tuple that autovacuum has not yet
removed would keep it long after the message was "wiped"). So the secret values are *sealed* —
encrypted and authenticated with a key derived from SECRET_KEY — into `Message.sealed`, and the
stored context holds the mask in their place. The seal is emptied once the message no longer needs
it (delivered; or failed, for a one-time code); what stays behind in old row versions is
ciphertext that is useless without SECRET_KEY. Re-rendering from the source object instead was
not an option: a one-time code is stored only as a keyed hash (PhoneCode.code_hash).

The construction uses the standard library only (the project has no `cryptography` dependency):
HMAC-SHA256 as a pseudo-random function in counter mode for the keystream (with a random 128-bit
nonce per seal), then encrypt-then-MAC with a second HMAC-SHA256 key over version, nonce and
ciphertext. Both keys are derived from SECRET_KEY with `salted_hmac` under their own salts;
SECRET_KEY_FALLBACKS are tried when opening, so a key rotation does not strand waiting messages.
A seal that cannot be opened (tampered with, or a key no longer configured) raises `Unsealable`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from django.conf import settings
from django.utils.crypto import salted_hmac

VERSION = b"s1"
NONCE_BYTES = 16
TAG_BYTES = 32
BLOCK = hashlib.sha256().digest_size


class Unsealable(ValueError):
    """The seal was altered, or was made with a key that is no longer configured."""


def _keys(secret: str) -> tuple[bytes, bytes]:
    encryption = salted_hmac("darcha.notify.sealing.encrypt", "key", secret=secret, algorithm="sha256").digest()
    authentication = salted_hmac("darcha.notify.sealing.mac", "key", secret=secret, algorithm="sha256").digest()
    return encryption, authentication


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        for counter in range(-(-length // BLOCK))
    )
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def seal(values: dict[str, str]) -> str:
    """The values, encrypted and authenticated, as ASCII text ("" for no values)."""
    if not values:
        return ""
    plain = json.dumps(values, ensure_ascii=False, sort_keys=True).encode()
    encryption, authentication = _keys(settings.SECRET_KEY)
    nonce = os.urandom(NONCE_BYTES)
    cipher = _xor(plain, _keystream(encryption, nonce, len(plain)))
    tag = hmac.new(authentication, VERSION + nonce + cipher, hashlib.sha256).digest()
    return (VERSION + b"." + base64.urlsafe_b64encode(nonce + cipher + tag)).decode()


def unseal(token: str) -> dict[str, str]:
    """The values of a seal made with SECRET_KEY or one of SECRET_KEY_FALLBACKS."""
    if not token:
        return {}
    version, _dot, payload = token.encode().partition(b".")
    try:
        raw = base64.urlsafe_b64decode(payload)
    except ValueError:
        raise Unsealable("not a seal") from None
    if version != VERSION or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise Unsealable("not a seal")
    nonce, cipher, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        encryption, authentication = _keys(secret)
        expected = hmac.new(authentication, version + nonce + cipher, hashlib.sha256).digest()
        if hmac.compare_digest(expected, tag):
            values = json.loads(_xor(cipher, _keystream(encryption, nonce, len(cipher))))
            return {str(key): str(value) for key, value in values.items()}
    raise Unsealable("the seal does not open with SECRET_KEY or SECRET_KEY_FALLBACKS")
