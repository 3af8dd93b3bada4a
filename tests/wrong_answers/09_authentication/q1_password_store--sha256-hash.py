"""Stores an unsalted SHA-256 of the password: fast to guess, and not an argon2id hash."""


def register(users: dict, name: str, password: str, hasher: PasswordHasher) -> None:
    users[name] = hashlib.sha256(password.encode()).hexdigest()


def login(users: dict, name: str, password: str, hasher: PasswordHasher) -> bool:
    stored = users.get(name)
    if stored is None:
        return False
    return hmac.compare_digest(stored, hashlib.sha256(password.encode()).hexdigest())
