"""Cleans up only after a clean close: a client that drops (no close frame) stays a member and is never announced as gone."""


class ChatRoom:
    def __init__(self):
        self.members = {}  # websocket -> name

    async def handler(self, websocket):
        """One client: its name first, then its messages, until it leaves."""
        name = await websocket.recv()
        self.members[websocket] = name
        broadcast(self.members, f"{name} joined")
        async for message in websocket:
            broadcast(self.members, f"{name}: {message}")
        del self.members[websocket]
        broadcast(self.members, f"{name} left")
