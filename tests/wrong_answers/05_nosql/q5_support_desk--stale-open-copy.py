"""Never deletes what an older version stored: a closed or reassigned ticket stays on the
agent's list of open tickets."""


def save_ticket(table: KeyValueTable, ticket: dict) -> None:
    table.put(f"TICKET#{ticket['id']}", "INFO", ticket)
    table.put(f"CUSTOMER#{ticket['customer']}", f"TICKET#{ticket['created']}#{ticket['id']}",
              ticket)
    if ticket["status"] == "open":
        table.put(f"AGENT#{ticket['agent']}", f"OPEN#{ticket['created']}#{ticket['id']}",
                  ticket)


def get_ticket(table: KeyValueTable, ticket_id: str) -> dict | None:
    return table.get(f"TICKET#{ticket_id}", "INFO")


def customer_tickets(table: KeyValueTable, customer: str) -> list[str]:
    return [t["id"] for t in table.query(f"CUSTOMER#{customer}", "TICKET#", newest_first=True)]


def agent_open_tickets(table: KeyValueTable, agent: str) -> list[str]:
    return [t["id"] for t in table.query(f"AGENT#{agent}", "OPEN#")]
