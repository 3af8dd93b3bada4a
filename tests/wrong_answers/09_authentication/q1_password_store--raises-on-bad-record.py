"""Catches only a mismatch: a record that is not an argon2 hash raises InvalidHashError."""


def register(users: dict, name: str, password: str, hasher: PasswordHasher) -> None:
    users[name] = hasher.hash(password)


def login(users: dict, name: str, password: str, hasher: PasswordHasher) -> bool:
    from argon2.exceptions import VerifyMismatchError

    if name not in users:
        return False
    try:
        hasher.verify(users[name], password)
    except VerifyMismatchError:
        return False
    if hasher.check_needs_rehash(users[name]):
        users[name] = hasher.hash(password)
    return True
