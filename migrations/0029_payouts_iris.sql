-- Payouts to banks through Midtrans Iris. The money itself stays in the ledger: a payout
-- is a hold (pending) on the seller's wallet; these tables only say where it goes and
-- how far Iris has got with it.

-- Where a seller is paid. Account number and holder name are key-ring ciphertexts bound
-- to the row (src/platform/crypto/keyring.ts); only the last four digits are kept in the
-- clear, to show. A removed destination is only marked removed: a payout already on its
-- way still needs to know where it goes.
CREATE TABLE payout_destinations (
  id uuid PRIMARY KEY,
  seller_id uuid NOT NULL,
  bank_code text NOT NULL CHECK (bank_code ~ '^[a-z0-9_]{2,32}$'),
  account_number text NOT NULL,
  account_last4 text NOT NULL CHECK (account_last4 ~ '^[0-9]{1,4}$'),
  holder_name text NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  -- The beneficiary alias at Iris, once created there.
  iris_beneficiary text,
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  CHECK (NOT (is_default AND removed_at IS NOT NULL))
);
CREATE INDEX payout_destinations_seller_idx ON payout_destinations (seller_id, created_at)
  WHERE removed_at IS NULL;
CREATE UNIQUE INDEX payout_destinations_one_default ON payout_destinations (seller_id) WHERE is_default;

-- Automatic payouts: the whole spendable balance once per period when it reaches the
-- minimum. last_period is the UTC day of the last run, so a period is paid at most once
-- (the ledger's unique hold reference `schedule:<day>` guards the same across instances).
CREATE TABLE payout_schedules (
  seller_id uuid PRIMARY KEY,
  frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'off')),
  weekday smallint CHECK (weekday BETWEEN 0 AND 6),
  minimum_amount_minor bigint NOT NULL CHECK (minimum_amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  destination_id uuid,
  -- Text, not date: drivers turn a date into a local-time Date, and a day is all this is.
  last_period text CHECK (last_period ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((frequency = 'weekly') = (weekday IS NOT NULL))
);
CREATE INDEX payout_schedules_due_idx ON payout_schedules (last_period, seller_id) WHERE frequency <> 'off';

-- A payout sent to a bank through Iris: one row per ledger hold (payout_id is the hold's
-- id), one Iris reference per row. Status follows payouts.state.ts.
CREATE TABLE iris_payouts (
  payout_id uuid PRIMARY KEY,
  seller_id uuid NOT NULL,
  -- A destination is never deleted, only marked removed, so this always finds it.
  destination_id uuid NOT NULL REFERENCES payout_destinations (id),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency = 'IDR'),
  status text NOT NULL DEFAULT 'created'
    CHECK (status IN ('created', 'queued', 'processed', 'completed', 'failed')),
  reference_no text UNIQUE CHECK (char_length(reference_no) <= 100),
  failure_code text,
  failure_message text,
  -- A payout that failed after it was completed is returned by a reversing transaction.
  reversal_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status = 'created' OR status = 'failed' OR reference_no IS NOT NULL)
);
CREATE INDEX iris_payouts_open_idx ON iris_payouts (updated_at)
  WHERE status IN ('created', 'queued', 'processed');
CREATE INDEX iris_payouts_seller_idx ON iris_payouts (seller_id, created_at DESC);
