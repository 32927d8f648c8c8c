"""The caller's own account: identity, onboarding and (later) the public profile."""
