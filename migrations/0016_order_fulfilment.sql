-- Each order item is shipped and delivered on its own (one order can hold several sellers'
-- items). The state machine is payments.fulfilment-state.ts; the CHECKs hold its shape
-- here too, so no code path can mark an item delivered without a shipment or leave a
-- shipment without its carrier and tracking number. Existing items start unfulfilled.
ALTER TABLE order_items
  ADD COLUMN fulfilment_status text NOT NULL DEFAULT 'unfulfilled'
    CHECK (fulfilment_status IN ('unfulfilled', 'shipped', 'delivered', 'canceled')),
  ADD COLUMN carrier text CHECK (char_length(carrier) BETWEEN 1 AND 100),
  ADD COLUMN tracking_number text CHECK (char_length(tracking_number) BETWEEN 1 AND 100),
  ADD COLUMN shipped_at timestamptz,
  ADD COLUMN delivered_at timestamptz,
  ADD CONSTRAINT order_items_shipment_complete
    CHECK ((shipped_at IS NULL) = (carrier IS NULL) AND (shipped_at IS NULL) = (tracking_number IS NULL)),
  ADD CONSTRAINT order_items_shipped_has_shipment
    CHECK (fulfilment_status NOT IN ('shipped', 'delivered') OR shipped_at IS NOT NULL),
  ADD CONSTRAINT order_items_delivered_has_time
    CHECK ((fulfilment_status = 'delivered') = (delivered_at IS NOT NULL));

-- GET /orders for a seller: the orders holding the seller's items, newest first.
CREATE INDEX order_items_seller_order_idx ON order_items (seller_id, order_id);
-- GET /orders (admins) and its keyset: newest first, ties broken by id.
CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC);
