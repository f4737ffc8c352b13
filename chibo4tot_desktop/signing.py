"""The keys that make a packet prove its sender, and the optional sealing of a packet to its
receiver (``cryptography``; imported only when a packet is made or read).

- Each office has an Ed25519 key to sign and an X25519 key to receive sealed packets
  (``ops.keys`` makes them on first use and keeps them in the data file).
- The fingerprint of an office is the SHA-256 of both public keys, shown as 30 digits in six
  groups of five: easy to read over the phone; the receiver compares it before registering
  the sender's key once.
- A packet is signed over its manifest, which holds the SHA-256 and size of every other
  member; changing any byte of any member after signing breaks the signature or a checksum.
- Sealing (optional): the signed packet encrypted to the receiver's X25519 key with an
  ephemeral key, HKDF-SHA256 and ChaCha20-Poly1305. Only the receiver's data file can open
  it; the header names the receiver's fingerprint so a wrong receiver is told so.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass

from chibo4tot_desktop.errors import UserError

SEALED_MAGIC = b"CHIBO4TOT-SEALED\x01"
_INFO = b"chibo4tot-desktop packet seal v1"
KEY_BYTES = 32
NONCE_BYTES = 12
FINGERPRINT_DIGITS = 30


class SealError(UserError):
    """A sealed packet that cannot be opened here (another receiver's, or damaged)."""


@dataclass(frozen=True)
class KeyMaterial:
    signing_private: bytes
    signing_public: bytes
    box_private: bytes
    box_public: bytes


def _raw(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    if hasattr(key, "private_bytes"):
        return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def new_keys() -> KeyMaterial:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    signing = Ed25519PrivateKey.generate()
    box = X25519PrivateKey.generate()
    return KeyMaterial(_raw(signing), _raw(signing.public_key()), _raw(box),
                       _raw(box.public_key()))


def fingerprint(signing_public: bytes, box_public: bytes) -> str:
    """"12345 67890 ..." (30 digits): what two offices read to each other over the phone."""
    digest = hashlib.sha256(b"chibo4tot-desktop key\x00" + signing_public + box_public).digest()
    number = int.from_bytes(digest[:16], "big") % 10 ** FINGERPRINT_DIGITS
    digits = f"{number:0{FINGERPRINT_DIGITS}d}"
    return " ".join(digits[i:i + 5] for i in range(0, FINGERPRINT_DIGITS, 5))


def same_fingerprint(typed: str, expected: str) -> bool:
    """The fingerprint typed (any spacing, dashes or dots) is the expected one."""
    return "".join(ch for ch in typed if ch.isdigit()) == expected.replace(" ", "")


def sign(signing_private: bytes, message: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(signing_private).sign(message)


def verify(signing_public: bytes, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(signing_public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _key(shared: bytes, ephemeral_public: bytes, receiver_public: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_INFO + ephemeral_public + receiver_public).derive(shared)


def is_sealed(head: bytes) -> bool:
    return head.startswith(SEALED_MAGIC)


def seal(content: bytes, receiver_box_public: bytes) -> bytes:
    """``content`` encrypted so that only the holder of the receiver's box key can read it."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(receiver_box_public))
    nonce = os.urandom(NONCE_BYTES)
    header = (SEALED_MAGIC + ephemeral_public + receiver_box_public + nonce
              + struct.pack(">Q", len(content)))
    key = _key(shared, ephemeral_public, receiver_box_public)
    return header + ChaCha20Poly1305(key).encrypt(nonce, content, header)


def sealed_receiver(content: bytes) -> bytes | None:
    """The receiver's box public key written in a sealed packet's header."""
    start = len(SEALED_MAGIC) + KEY_BYTES
    return content[start:start + KEY_BYTES] if is_sealed(content) and \
        len(content) >= start + KEY_BYTES else None


def open_sealed(content: bytes, box_private: bytes, box_public: bytes) -> bytes:
    """The packet inside a sealed one; SealError when it is not for this office or damaged."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    header_size = len(SEALED_MAGIC) + 2 * KEY_BYTES + NONCE_BYTES + 8
    if len(content) < header_size + 16:
        raise SealError("gói mã hóa bị cắt cụt")
    header = content[:header_size]
    position = len(SEALED_MAGIC)
    ephemeral_public = header[position:position + KEY_BYTES]
    receiver = header[position + KEY_BYTES:position + 2 * KEY_BYTES]
    nonce = header[position + 2 * KEY_BYTES:position + 2 * KEY_BYTES + NONCE_BYTES]
    length = struct.unpack(">Q", header[-8:])[0]
    if receiver != box_public:
        raise SealError("gói được mã hóa cho đơn vị khác, không phải cho tệp dữ liệu này")
    if length != len(content) - header_size - 16:
        raise SealError("gói mã hóa bị cắt cụt hoặc hỏng")
    try:
        shared = X25519PrivateKey.from_private_bytes(box_private).exchange(
            X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _key(shared, ephemeral_public, receiver)
        return ChaCha20Poly1305(key).decrypt(nonce, content[header_size:], header)
    except (InvalidTag, ValueError):
        raise SealError("gói mã hóa bị hỏng hoặc bị sửa (không giải mã được)") from None
