"""Announces a departure but never removes the member, so the room keeps sending to a closed connection."""


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
                broadcast(self.members, f"{name}: {message}")
        finally:
            broadcast(self.members, f"{name} left")
