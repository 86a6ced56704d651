import { type Branding, formatTime, type RenderedMail, renderMail } from './notifications.layout.js';

/**
 * The mails telling a buyer where an ordered item is, from the data of `order.shipped` and
 * `order.delivered` (one item each: an order's sellers ship their items separately).
 */
export interface FulfilmentMailInput {
  order_id: string;
  item: {
    product_name: string;
    quantity: number;
    fulfilment_status: string;
    carrier: string | null;
    tracking_number: string | null;
    shipped_at: string | null;
    delivered_at: string | null;
  };
}

const WORDING = {
  shipped: {
    subject: (name: string) => `Shipped: ${name}`,
    heading: 'Your order is on its way',
    lead: (item: FulfilmentMailInput['item']) =>
      `${item.quantity} × ${item.product_name} has been shipped` +
      (item.carrier ? ` with ${item.carrier}.` : '.') +
      (item.tracking_number ? ` Its tracking number is ${item.tracking_number}.` : ''),
  },
  delivered: {
    subject: (name: string) => `Delivered: ${name}`,
    heading: 'Your order was delivered',
    lead: (item: FulfilmentMailInput['item']) =>
      `${item.quantity} × ${item.product_name} has been delivered. ` +
      'If it has not reached you, reply to the seller with the tracking number below.',
  },
};

function renderFulfilment(
  status: keyof typeof WORDING,
  data: FulfilmentMailInput,
  branding: Branding,
): RenderedMail {
  const { item } = data;
  const wording = WORDING[status];
  const details: [string, string][] = [
    ['Product', item.product_name],
    ['Quantity', String(item.quantity)],
  ];
  if (item.carrier) details.push(['Carrier', item.carrier]);
  if (item.tracking_number) details.push(['Tracking number', item.tracking_number]);
  if (item.shipped_at) details.push(['Shipped', formatTime(item.shipped_at)]);
  if (item.delivered_at) details.push(['Delivered', formatTime(item.delivered_at)]);
  details.push(['Order', data.order_id]);
  return renderMail(
    {
      subject: wording.subject(item.product_name),
      heading: wording.heading,
      paragraphs: [wording.lead(item)],
      details,
    },
    branding,
  );
}

/** Sent to the buyer when a seller ships an item: carrier and tracking number included. */
export const renderItemShipped = (data: FulfilmentMailInput, branding: Branding) =>
  renderFulfilment('shipped', data, branding);

/** Sent to the buyer when an item is marked delivered. */
export const renderItemDelivered = (data: FulfilmentMailInput, branding: Branding) =>
  renderFulfilment('delivered', data, branding);
