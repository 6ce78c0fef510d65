from pwdlib import PasswordHash

# pwdlib's recommended hasher is Argon2id; passlib is unmaintained.
_password_hash = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, hashed_password: str) -> bool:
    return _password_hash.verify(password, hashed_password)
