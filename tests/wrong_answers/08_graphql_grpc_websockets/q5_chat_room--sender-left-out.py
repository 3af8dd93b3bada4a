"""Broadcasts a message to everyone but its sender."""


class ChatRoom:
    def __init__(self):
        self.members = {}  # websocket -> name

    async def handler(self, websocket):
        """One client: its name first, then its messages, until it leaves."""
        name = await websocket.recv()
        self.members[websocket] = name
        broadcast(self.members, f"{name} joined")
        try:
            async for message in websocket:
                others = [m for m in self.members if m is not websocket]
                broadcast(others, f"{name}: {message}")
        finally:
            del self.members[websocket]
            broadcast(self.members, f"{name} left")
