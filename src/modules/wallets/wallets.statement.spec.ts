import { describe, expect, it } from 'vitest';
import {
  HOLD_STATE_OF_PAYOUT,
  PAYOUT_STATUS,
  type StatementInput,
  statementLine,
} from './wallets.statement.js';

const base: StatementInput = {
  kind: 'purchase',
  transactionId: 't-1',
  reference: 'payment-1',
  settles: null,
  amountMinor: -100n,
  hold: undefined,
  isGatewayTopUp: false,
};

describe('a statement line', () => {
  it('tells a purchase from a sale by the sign, and points at the payment', () => {
    expect(statementLine(base)).toEqual({
      description: 'Purchase',
      reference_type: 'payment',
      reference_id: 'payment-1',
      status: 'posted',
      balance: 'available',
    });
    expect(statementLine({ ...base, amountMinor: 90n }).description).toBe('Sale');
  });

  it('shows a payout hold as pending money and its settlement as the payout paid, both under the payout id', () => {
    const hold = {
      ...base,
      kind: 'payout',
      transactionId: 'hold-1',
      reference: 'u:key',
      hold: 'pending' as const,
    };
    expect(statementLine(hold)).toMatchObject({
      description: 'Payout requested',
      reference_type: 'payout',
      reference_id: 'hold-1',
      status: 'pending',
      balance: 'pending',
    });
    expect(statementLine({ ...hold, hold: 'posted' }).status).toBe('settled');
    expect(statementLine({ ...hold, hold: 'voided' }).status).toBe('voided');
    const settlement = { ...hold, transactionId: 'settle-1', settles: 'hold-1', hold: undefined };
    expect(statementLine(settlement)).toMatchObject({
      description: 'Payout paid',
      reference_id: 'hold-1',
      status: 'posted',
      balance: 'available',
    });
  });

  it('names a top-up by the id the API answered: the gateway top-up, else the ledger transaction', () => {
    const topUp = { ...base, kind: 'top_up', transactionId: 't-9', reference: 'r-9', amountMinor: 5n };
    expect(statementLine(topUp).reference_id).toBe('t-9');
    expect(statementLine({ ...topUp, isGatewayTopUp: true }).reference_id).toBe('r-9');
  });

  it('tells refunds given from refunds received, and reads unknown kinds as words', () => {
    const refund = { ...base, kind: 'refund', reference: 'refund-1', hold: 'posted' as const };
    expect(statementLine(refund)).toMatchObject({ description: 'Refund given', reference_id: 'refund-1' });
    expect(statementLine({ ...refund, amountMinor: 3n }).description).toBe('Refund received');
    expect(statementLine({ ...base, kind: 'fee_adjustment' })).toMatchObject({
      description: 'Fee adjustment',
      reference_type: 'other',
      reference_id: 't-1',
    });
  });
});

describe('payout statuses', () => {
  it('map one to one onto hold states', () => {
    for (const [state, status] of Object.entries(PAYOUT_STATUS)) {
      expect(HOLD_STATE_OF_PAYOUT[status]).toBe(state);
    }
  });
});
