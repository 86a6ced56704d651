-- The ceiling of one hot row with durable commits (issue 17, the flash sale): only the
-- stock decrement, one transaction each, on one product, from every client at once. Run
-- by bench/checkout-pgbench.ts with -D product=<id> on a product of its own (never the
-- one Mamlaka sold, so that product's stock + sold = initial still holds afterwards).
update "products" set "stock" = "stock" - 1 where "id" = :product and "stock" >= 1;
