"""Streams the items in the dict's order, not in order of sku."""


class StreamingInventory(Inventory):
    def ListItems(self, request, context):
        """Stream the items with at least request.min_quantity, by sku; then set the
        trailing metadata item-count."""
        skus = [sku for sku, (_, quantity) in self.stock.items()
                if quantity >= request.min_quantity]
        context.set_trailing_metadata((("item-count", str(len(skus))),))
        for sku in skus:
            name, quantity = self.stock[sku]
            yield pb.Item(sku=sku, name=name, quantity=quantity)
