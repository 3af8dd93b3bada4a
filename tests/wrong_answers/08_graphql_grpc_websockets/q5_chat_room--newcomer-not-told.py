"""Announces a newcomer to the others only, not to the newcomer itself."""


class ChatRoom:
    def __init__(self):
        self.members = {}  # websocket -> name

    async def handler(self, websocket):
        """One client: its name first, then its messages, until it leaves."""
        name = await websocket.recv()
        self.members[websocket] = name
        for member in self.members:
            if member is not websocket:
                await member.send(f"{name} joined")
        try:
            async for message in websocket:
                broadcast(self.members, f"{name}: {message}")
        finally:
            del self.members[websocket]
            broadcast(self.members, f"{name} left")
