"""Fails an unknown sku with INVALID_ARGUMENT instead of NOT_FOUND."""


class Inventory(rpc.InventoryServicer):
    def __init__(self, stock):
        self.stock = stock  # {sku: (name, quantity)}

    def GetItem(self, request, context):
        """The item with request.sku, or a NOT_FOUND / INVALID_ARGUMENT status."""
        if not request.sku:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "sku is required")
        if request.sku not in self.stock:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"no item {request.sku}")
        name, quantity = self.stock[request.sku]
        return pb.Item(sku=request.sku, name=name, quantity=quantity)
