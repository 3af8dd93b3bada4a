"""Uses gt=13 instead of ge=13: a 13-year-old is turned away."""


class Signup(BaseModel):
    """The body of POST /signup."""

    model_config = ConfigDict(extra="forbid")

    email: str
    username: str = Field(pattern=r"^[A-Za-z0-9_]{3,20}$")
    password: str = Field(min_length=8)
    age: int = Field(gt=13)
    newsletter: bool = False

    @field_validator("email")
    @classmethod
    def normalised_address(cls, value: str) -> str:
        value = value.strip().lower()
        local, _, domain = value.partition("@")
        if not local or "@" in domain or " " in value:
            raise ValueError("an email address has one @ with a name before it")
        if "." not in domain or domain.startswith(".") or domain.endswith("."):
            raise ValueError("the domain of an email address needs a dot inside it")
        return value

    @field_validator("password")
    @classmethod
    def strong_enough(cls, value: str, info) -> str:
        if not any(c.isalpha() for c in value):
            raise ValueError("a password needs a letter")
        if not any(c.isdigit() for c in value):
            raise ValueError("a password needs a digit")
        username = info.data.get("username")
        if username and username.lower() in value.lower():
            raise ValueError("a password must not contain the username")
        return value
