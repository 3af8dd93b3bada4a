"""APIs: testing a web service over real HTTP, and a slow service to call concurrently."""
