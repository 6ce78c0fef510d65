from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

Username = Annotated[str, Field(min_length=3, max_length=50, examples=["johndoe"])]
Password = Annotated[str, Field(min_length=8, max_length=128, examples=["Secret123"])]
FullName = Annotated[str, Field(min_length=1, max_length=100, examples=["John Doe"])]
Age = Annotated[int, Field(ge=0, le=150, examples=[25])]


def check_password_strength(password: str) -> str:
    if not any(char.isupper() for char in password):
        raise ValueError("must contain an uppercase letter")
    if not any(char.isdigit() for char in password):
        raise ValueError("must contain a digit")
    return password


class UserCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "johndoe",
                    "email": "john@example.com",
                    "password": "Secret123",
                    "full_name": "John Doe",
                    "age": 25,
                }
            ]
        }
    )

    username: Username
    email: EmailStr
    password: Password
    full_name: FullName | None = None
    age: Age | None = None

    @field_validator("username")
    @classmethod
    def username_alphanumeric(cls, value: str) -> str:
        if not value.isalnum():
            raise ValueError("must be alphanumeric")
        return value

    @field_validator("password")
    @classmethod
    def password_strength(cls, value: str) -> str:
        return check_password_strength(value)


class UserUpdate(BaseModel):
    email: EmailStr | None = None
    password: Password | None = None
    full_name: FullName | None = None
    age: Age | None = None

    @field_validator("password")
    @classmethod
    def password_strength(cls, value: str | None) -> str | None:
        return None if value is None else check_password_strength(value)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    full_name: str | None
    age: int | None
    is_active: bool
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
