"""Storage: where bytes live — managed storage and users' own buckets (storage connections),
the router that sends each blob to the right one, and usage by location."""
