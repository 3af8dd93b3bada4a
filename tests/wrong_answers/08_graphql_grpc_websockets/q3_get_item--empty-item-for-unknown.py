"""Returns an empty Item for an unknown sku instead of failing the call."""


class Inventory(rpc.InventoryServicer):
    def __init__(self, stock):
        self.stock = stock  # {sku: (name, quantity)}

    def GetItem(self, request, context):
        """The item with request.sku, or a NOT_FOUND / INVALID_ARGUMENT status."""
        if not request.sku:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "sku is required")
        name, quantity = self.stock.get(request.sku, ("", 0))
        return pb.Item(sku=request.sku, name=name, quantity=quantity)
