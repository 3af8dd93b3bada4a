"""Never checks for an empty sku: it is reported as NOT_FOUND."""


class Inventory(rpc.InventoryServicer):
    def __init__(self, stock):
        self.stock = stock  # {sku: (name, quantity)}

    def GetItem(self, request, context):
        """The item with request.sku, or a NOT_FOUND / INVALID_ARGUMENT status."""
        if request.sku not in self.stock:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no item {request.sku}")
        name, quantity = self.stock[request.sku]
        return pb.Item(sku=request.sku, name=name, quantity=quantity)
