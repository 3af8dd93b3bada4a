"""Hashes with a new PasswordHasher() (the defaults), not with the hasher it was given."""


def register(users: dict, name: str, password: str, hasher: PasswordHasher) -> None:
    users[name] = PasswordHasher().hash(password)


def login(users: dict, name: str, password: str, hasher: PasswordHasher) -> bool:
    stored = users.get(name)
    if stored is None:
        return False
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(stored):
        users[name] = hasher.hash(password)
    return True
