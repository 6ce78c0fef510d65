from app.db.models.post import Post
from app.db.models.user import User

__all__ = ["Post", "User"]
