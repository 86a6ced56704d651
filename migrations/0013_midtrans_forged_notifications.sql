-- Forged Midtrans notifications (a signature that does not verify) are counted, not kept
-- whole: anyone may send them without logging in, so storing each in full let a stranger
-- fill the disk. Only the newest 100 stay, each as a sample of at most 1 KB of what was
-- received (`raw` is then NULL), for an admin to see what is being tried; the counter
-- says how many there were in all.
ALTER TABLE midtrans_notifications
  ALTER COLUMN raw DROP NOT NULL,
  ADD COLUMN raw_sample text;

CREATE TABLE midtrans_forged_notifications_count (
  -- One row, seeded here, so that counting is one UPDATE whose row lock also orders the
  -- pruning of the samples (see MidtransNotifications.recordForged).
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  total bigint NOT NULL CHECK (total >= 0),
  last_received_at timestamptz
);
INSERT INTO midtrans_forged_notifications_count (total, last_received_at)
  SELECT count(*), max(received_at) FROM midtrans_notifications WHERE NOT signature_valid;

-- Forged rows kept before this migration: the newest 100, each cut to its sample.
DELETE FROM midtrans_notifications
  WHERE NOT signature_valid
    AND id NOT IN (
      SELECT id FROM midtrans_notifications WHERE NOT signature_valid
        ORDER BY received_at DESC, id DESC LIMIT 100
    );
-- The longest prefix of whole characters that fits in 1024 bytes.
UPDATE midtrans_notifications
  SET raw_sample = (
        SELECT left(raw::text, n) FROM generate_series(1024, 0, -1) AS n
          WHERE octet_length(left(raw::text, n)) <= 1024 ORDER BY n DESC LIMIT 1
      ),
      raw = NULL
  WHERE NOT signature_valid;

ALTER TABLE midtrans_notifications
  ADD CONSTRAINT midtrans_notifications_raw_kept CHECK (
    CASE WHEN signature_valid THEN raw IS NOT NULL AND raw_sample IS NULL
         ELSE raw IS NULL AND raw_sample IS NOT NULL AND octet_length(raw_sample) <= 1024 END
  );
CREATE INDEX midtrans_notifications_forged_idx
  ON midtrans_notifications (received_at DESC, id DESC) WHERE NOT signature_valid;
