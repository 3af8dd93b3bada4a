"""Verifies correctly but never rehashes, so old parameters stay in the store for ever."""


def register(users: dict, name: str, password: str, hasher: PasswordHasher) -> None:
    users[name] = hasher.hash(password)


def login(users: dict, name: str, password: str, hasher: PasswordHasher) -> bool:
    stored = users.get(name)
    if stored is None:
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
