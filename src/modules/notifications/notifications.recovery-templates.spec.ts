import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../../platform/crypto/keyring.js';
import type { DomainEvent } from '../../platform/events/event.js';
import { sealRecoveryMail } from '../users/users.recovery-events.js';
import { recoveryMailsFor, renderPasswordReset } from './notifications.recovery-templates.js';
import { mailsFor } from './notifications.rules.js';

const ring = new KeyRing({ keys: [{ id: 'k1', key: randomBytes(32) }], blindIndexKey: randomBytes(32) });
const branding = { productName: 'Mamlaka', from: 'no-reply@example.com' };
const url = 'https://shop.example/account/reset-password#token=abc';

const event = (type: string, aggregate: string, sealedFor = aggregate): DomainEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type,
  aggregate,
  created: Date.now(),
  data: {
    user_id: 'u1',
    sealed: sealRecoveryMail(ring, sealedFor, { email: 'new@example.com', url }),
    expires_at: '2026-12-01T10:30:00.000Z',
  },
});

describe('recovery mails', () => {
  it('go to the sealed address with the link', () => {
    const [plan] = recoveryMailsFor(event('user.password_reset_requested', 'user:u1'), ring);
    expect(plan).toMatchObject({ kind: 'password_reset', recipientId: 'u1', to: 'new@example.com' });
    const mail = plan!.render({ name: 'Dewi' }, branding);
    expect(mail.text).toContain(url);
    expect(mail.html).toContain('Dewi');
  });

  it('refuse a link sealed for another aggregate', () => {
    expect(() =>
      recoveryMailsFor(event('user.email_verification_requested', 'user:u1', 'user:u2'), ring),
    ).toThrow();
  });

  it('leave other events alone', () => {
    expect(recoveryMailsFor(event('payment.succeeded', 'payment:p1'), ring)).toEqual([]);
  });

  it('put the verification link of a registration in the welcome mail', () => {
    const registered: DomainEvent = {
      ...event('user.registered', 'user:u1'),
      data: { id: 'u1', verification: event('x', 'user:u1').data as { sealed: string; expires_at: string } },
    };
    const [welcome] = mailsFor(registered, ring);
    const mail = welcome!.render({ name: 'Dewi', email: 'new@example.com' }, branding);
    expect(mail.subject).toBe('Welcome to Mamlaka');
    expect(mail.text).toContain(url);
  });

  it('say how long the reset link works', () => {
    const mail = renderPasswordReset({ name: 'Dewi', url, expires_at: '2026-12-01T10:30:00.000Z' }, branding);
    expect(mail.subject).toBe('Reset your Mamlaka password');
    expect(mail.text).toMatch(/works once, until/);
  });
});
