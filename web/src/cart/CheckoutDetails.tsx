import { useMutation, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { useFormat } from '../format';
import { ErrorAlert } from '../storefront/common';
import { usePricingT } from './pricing.messages';
import { type ServerCart, serverCart } from './server-cart';

type Shipment = NonNullable<ServerCart['quote']>['shipments'][number];
type Choice = ServerCart['shipping_options'][number];

function ShippingChoice({
  shipment,
  items,
  many,
  currency,
  busy,
  onChoose,
}: {
  shipment: Shipment & { shipping_option_id: string };
  /** The titles of the cart's lines in this shipment, which name it when there are several. */
  items: string[];
  many: boolean;
  currency: string;
  busy: boolean;
  onChoose(choice: Choice): void;
}) {
  const p = usePricingT();
  const { money } = useFormat();
  const id = useId();
  const options = useQuery({
    queryKey: ['shipping-options', shipment.seller_id],
    queryFn: () =>
      unwrap(api.GET('/sellers/{id}/shipping-options', { params: { path: { id: shipment.seller_id } } })),
  });
  return (
    <div className="field">
      <label htmlFor={id}>
        {many ? p('shippingOptionFor', { items: items.join(', ') }) : p('shippingOption')}
      </label>
      <select
        id={id}
        value={shipment.shipping_option_id}
        disabled={busy || !options.data}
        aria-describedby={`${id}-amount`}
        onChange={(event) =>
          onChoose({ seller_id: shipment.seller_id, shipping_option_id: event.target.value })
        }
      >
        {/* Until the seller's list arrives, the server's choice still reads as chosen. */}
        {(options.data ?? [{ id: shipment.shipping_option_id, name: '…' }]).map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </select>
      <p id={`${id}-amount`} className="muted" data-testid="shipment-shipping">
        {p('shipmentShipping', { amount: money(shipment.shipping, currency) })}
      </p>
      <ErrorAlert error={options.error} />
    </div>
  );
}

/**
 * Where the signed-in buyer's cart goes and how each seller ships it. With no address the
 * server gives no quote; with one, a seller the buyer has not chosen for ships by its cheapest
 * option, which is what the choice shows.
 */
export function CheckoutDetails({ cart, onChange }: { cart: ServerCart; onChange(cart: ServerCart): void }) {
  const p = usePricingT();
  const id = useId();
  const userId = serverCart.userId();
  // The same key as the address book, so an address added there shows here.
  const addresses = useQuery({
    queryKey: ['addresses', userId],
    queryFn: () => unwrap(api.GET('/users/me/addresses')),
  });
  const shipTo = useMutation({
    mutationFn: (addressId: string | null) =>
      unwrap(
        api.PUT('/carts/{id}/shipping-address', {
          params: { path: { id: cart.id } },
          body: { address_id: addressId },
        }),
      ),
    onSuccess: onChange,
  });
  const choose = useMutation({
    mutationFn: (choice: Choice) =>
      unwrap(
        api.PUT('/carts/{id}/shipping-options', {
          params: { path: { id: cart.id } },
          body: {
            options: [...cart.shipping_options.filter((each) => each.seller_id !== choice.seller_id), choice],
          },
        }),
      ),
    onSuccess: onChange,
  });
  const quote = cart.quote;
  const shipments = (quote?.shipments ?? []).filter(
    (each): each is Shipment & { shipping_option_id: string } => each.shipping_option_id !== null,
  );
  const list = addresses.data ?? [];
  return (
    <section aria-labelledby={`${id}-title`} className="checkout-details">
      <h2 id={`${id}-title`}>{p('delivery')}</h2>
      {addresses.isSuccess && list.length === 0 ? (
        <p>
          {p('noAddresses')} <Link to="/account/addresses">{p('addAddress')}</Link>
        </p>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-address`}>{p('shipTo')}</label>
          <select
            id={`${id}-address`}
            value={cart.shipping_address_id ?? ''}
            disabled={shipTo.isPending || !addresses.isSuccess}
            onChange={(event) => shipTo.mutate(event.target.value || null)}
          >
            <option value="">{p('chooseAddress')}</option>
            {list.map((address) => (
              <option key={address.id} value={address.id}>
                {[address.name, address.line1, address.city, address.region, address.country].join(', ')}
              </option>
            ))}
          </select>
          {cart.shipping_address_id === null && <p className="muted">{p('addressHint')}</p>}
          {list.length > 0 && <Link to="/account/addresses">{p('manageAddresses')}</Link>}
        </div>
      )}
      <ErrorAlert error={addresses.error ?? shipTo.error} />
      {quote &&
        shipments.map((shipment) => (
          <ShippingChoice
            key={shipment.seller_id}
            shipment={shipment}
            items={cart.lines
              .filter((line) => line.seller_id === shipment.seller_id)
              .map((line) => line.title)}
            many={shipments.length > 1}
            currency={quote.currency}
            busy={choose.isPending}
            onChoose={(choice) => choose.mutate(choice)}
          />
        ))}
      <ErrorAlert error={choose.error} />
    </section>
  );
}
