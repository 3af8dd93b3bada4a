"""Keeps the members in a class attribute: every room shares them."""


class ChatRoom:
    members = {}  # websocket -> name, shared by every room

    async def handler(self, websocket):
        """One client: its name first, then its messages, until it leaves."""
        name = await websocket.recv()
        self.members[websocket] = name
        broadcast(self.members, f"{name} joined")
        try:
            async for message in websocket:
                broadcast(self.members, f"{name}: {message}")
        finally:
            del self.members[websocket]
            broadcast(self.members, f"{name} left")
