"""Sort keys made of the ticket ID instead of the creation time: lists come out in ID order,
which is not time order."""


def save_ticket(table: KeyValueTable, ticket: dict) -> None:
    previous = table.get(f"TICKET#{ticket['id']}", "INFO")
    if previous is not None and previous["status"] == "open":
        table.delete(f"AGENT#{previous['agent']}", f"OPEN#{previous['id']}")
    table.put(f"TICKET#{ticket['id']}", "INFO", ticket)
    table.put(f"CUSTOMER#{ticket['customer']}", f"TICKET#{ticket['id']}", ticket)
    if ticket["status"] == "open":
        table.put(f"AGENT#{ticket['agent']}", f"OPEN#{ticket['id']}", ticket)


def get_ticket(table: KeyValueTable, ticket_id: str) -> dict | None:
    return table.get(f"TICKET#{ticket_id}", "INFO")


def customer_tickets(table: KeyValueTable, customer: str) -> list[str]:
    return [t["id"] for t in table.query(f"CUSTOMER#{customer}", "TICKET#", newest_first=True)]


def agent_open_tickets(table: KeyValueTable, agent: str) -> list[str]:
    return [t["id"] for t in table.query(f"AGENT#{agent}", "OPEN#")]
