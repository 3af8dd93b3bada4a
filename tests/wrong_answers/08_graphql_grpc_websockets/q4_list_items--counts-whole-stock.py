"""Reports the size of the whole stock in item-count, not the number of items sent."""


class StreamingInventory(Inventory):
    def ListItems(self, request, context):
        """Stream the items with at least request.min_quantity, by sku; then set the
        trailing metadata item-count."""
        skus = sorted(sku for sku, (_, quantity) in self.stock.items()
                      if quantity >= request.min_quantity)
        context.set_trailing_metadata((("item-count", str(len(self.stock))),))
        for sku in skus:
            name, quantity = self.stock[sku]
            yield pb.Item(sku=sku, name=name, quantity=quantity)
