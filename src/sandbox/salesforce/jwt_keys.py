"""The key pair of the sandbox's connected app for the JWT bearer flow: the certificate (public key) is
"uploaded" to the connected app, the private key is what an admin's crm-kpi settings point at. Kept in the
sandbox state directory beside the TLS CA, so one state dir gives a stable pair."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class JwtKeys:
    private_key_file: Path
    public_key_file: Path


def ensure_jwt_keys(state_dir: str | Path) -> JwtKeys:
    directory = Path(state_dir)
    keys = JwtKeys(directory / "salesforce-jwt-private.pem", directory / "salesforce-jwt-public.pem")
    if keys.private_key_file.exists() and keys.public_key_file.exists():
        return keys
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys.private_key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    keys.private_key_file.chmod(0o600)
    keys.public_key_file.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return keys
