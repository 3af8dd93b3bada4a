"""Rehashes before checking the password, so a wrong password replaces the right one."""


def register(users: dict, name: str, password: str, hasher: PasswordHasher) -> None:
    users[name] = hasher.hash(password)


def login(users: dict, name: str, password: str, hasher: PasswordHasher) -> bool:
    stored = users.get(name)
    if stored is None:
        return False
    if hasher.check_needs_rehash(stored):
        users[name] = hasher.hash(password)
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
