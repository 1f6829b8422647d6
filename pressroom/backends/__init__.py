"""Database backends of Pressroom: Django's own, with what the site needs changed."""
