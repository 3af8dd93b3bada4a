"""Sends item-count as initial metadata (headers), not as trailing metadata."""


class StreamingInventory(Inventory):
    def ListItems(self, request, context):
        """Stream the items with at least request.min_quantity, by sku; then set the
        trailing metadata item-count."""
        skus = sorted(sku for sku, (_, quantity) in self.stock.items()
                      if quantity >= request.min_quantity)
        context.send_initial_metadata((("item-count", str(len(skus))),))
        for sku in skus:
            name, quantity = self.stock[sku]
            yield pb.Item(sku=sku, name=name, quantity=quantity)
