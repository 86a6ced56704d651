import { describe, expect, it } from 'vitest';
import {
  type FulfilmentMailInput,
  renderItemDelivered,
  renderItemShipped,
} from './notifications.fulfilment-templates.js';
import type { Branding } from './notifications.templates.js';

const branding: Branding = {
  productName: 'Mamlaka',
  from: 'Mamlaka <no-reply@mamlaka.test>',
  supportEmail: 'help@mamlaka.test',
  footer: 'Mamlaka Ltd, Jakarta',
};

const shipped: FulfilmentMailInput = {
  order_id: '0b7c9a4e-2f4d-4a53-9d61-6f0c2a1b3c4d',
  item: {
    product_name: 'Batik shirt',
    quantity: 2,
    fulfilment_status: 'shipped',
    carrier: 'JNE',
    tracking_number: 'JNE-0042-7781',
    shipped_at: '2026-11-22T14:03:05.123Z',
    delivered_at: null,
  },
};
const delivered: FulfilmentMailInput = {
  ...shipped,
  item: { ...shipped.item, fulfilment_status: 'delivered', delivered_at: '2026-11-24T09:30:00.000Z' },
};

const visibleText = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('renderItemShipped', () => {
  it('names the product, quantity, carrier, tracking number, time and order in both bodies', () => {
    const mail = renderItemShipped(shipped, branding);
    expect(mail.subject).toBe('Shipped: Batik shirt');
    for (const body of [mail.text, visibleText(mail.html)]) {
      expect(body).toContain('2 × Batik shirt has been shipped with JNE.');
      expect(body).toContain('Its tracking number is JNE-0042-7781.');
      expect(body).toContain('2026-11-22 14:03 UTC');
      expect(body).toContain('0b7c9a4e-2f4d-4a53-9d61-6f0c2a1b3c4d');
      expect(body).toContain('help@mamlaka.test');
    }
    expect(mail.text).toMatch(/^Carrier: +JNE$/m);
    expect(mail.text).toMatch(/^Tracking number: +JNE-0042-7781$/m);
    expect(mail.text).not.toContain('Delivered:');
  });

  it('escapes a product name or carrier holding markup in the HTML, and keeps them as written in the text', () => {
    const evil = '<script>alert(1)</script>';
    const mail = renderItemShipped(
      { ...shipped, item: { ...shipped.item, product_name: evil, carrier: '<b>X</b>' } },
      branding,
    );
    expect(mail.html).not.toMatch(/<script|<b>/);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.text).toContain(evil);
  });

  it('reads on its own as text, with no markup in it', () => {
    const { text } = renderItemShipped(shipped, branding);
    expect(text).not.toMatch(/<[a-z]/i);
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('renderItemDelivered', () => {
  it('says the item arrived, when, and still shows how it was sent', () => {
    const mail = renderItemDelivered(delivered, branding);
    expect(mail.subject).toBe('Delivered: Batik shirt');
    for (const body of [mail.text, visibleText(mail.html)]) {
      expect(body).toContain('2 × Batik shirt has been delivered.');
      expect(body).toContain('2026-11-24 09:30 UTC');
      expect(body).toContain('JNE-0042-7781');
      expect(body).toContain('JNE');
    }
    expect(mail.text).toMatch(/^Delivered: +2026-11-24 09:30 UTC$/m);
  });
});
