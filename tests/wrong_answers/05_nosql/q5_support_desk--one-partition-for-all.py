"""Puts every customer's tickets in one partition with the customer name as the sort-key
prefix (a hot partition), without a separator: "acm" also finds "acme"'s tickets."""


def save_ticket(table: KeyValueTable, ticket: dict) -> None:
    previous = table.get(f"TICKET#{ticket['id']}", "INFO")
    if previous is not None and previous["status"] == "open":
        table.delete(f"AGENT#{previous['agent']}",
                     f"OPEN#{previous['created']}#{previous['id']}")
    table.put(f"TICKET#{ticket['id']}", "INFO", ticket)
    table.put("CUSTOMERS", f"{ticket['customer']}{ticket['created']}#{ticket['id']}", ticket)
    if ticket["status"] == "open":
        table.put(f"AGENT#{ticket['agent']}", f"OPEN#{ticket['created']}#{ticket['id']}",
                  ticket)


def get_ticket(table: KeyValueTable, ticket_id: str) -> dict | None:
    return table.get(f"TICKET#{ticket_id}", "INFO")


def customer_tickets(table: KeyValueTable, customer: str) -> list[str]:
    return [t["id"] for t in table.query("CUSTOMERS", customer, newest_first=True)]


def agent_open_tickets(table: KeyValueTable, agent: str) -> list[str]:
    return [t["id"] for t in table.query(f"AGENT#{agent}", "OPEN#")]
