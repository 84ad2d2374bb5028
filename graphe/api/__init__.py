"""The GraphQL API (the only package that imports strawberry)."""
