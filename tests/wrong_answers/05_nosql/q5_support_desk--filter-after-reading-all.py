"""Keeps one list of all tickets and filters in Python: each read fetches the whole table's
tickets with one query and a get for each, instead of one read per access pattern."""


def save_ticket(table: KeyValueTable, ticket: dict) -> None:
    table.put("TICKETS", ticket["id"], ticket)


def get_ticket(table: KeyValueTable, ticket_id: str) -> dict | None:
    return table.get("TICKETS", ticket_id)


def customer_tickets(table: KeyValueTable, customer: str) -> list[str]:
    ids = [t["id"] for t in table.query("TICKETS")]
    tickets = [table.get("TICKETS", i) for i in ids]
    mine = [t for t in tickets if t["customer"] == customer]
    return [t["id"] for t in sorted(mine, key=lambda t: t["created"], reverse=True)]


def agent_open_tickets(table: KeyValueTable, agent: str) -> list[str]:
    ids = [t["id"] for t in table.query("TICKETS")]
    tickets = [table.get("TICKETS", i) for i in ids]
    mine = [t for t in tickets if t["agent"] == agent and t["status"] == "open"]
    return [t["id"] for t in sorted(mine, key=lambda t: t["created"])]
