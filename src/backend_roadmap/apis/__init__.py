"""APIs: testing a web service over real HTTP, a slow service to call concurrently, and the
other protocols of chapter 08 (GraphQL, gRPC, WebSocket) run on loopback."""
