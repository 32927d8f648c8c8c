"""Who is calling: users, API keys with scopes, and signed links."""
