-- An account's identity is fixed once it exists: besides its id (0026, 0035), its kind,
-- owner, currency and overdraft rule can no longer change. The application never changes
-- them; the database now refuses it, so a process may remember which id an identity names
-- for as long as it runs (ledger.account-ids.ts) without reading it again per batch.
DROP TRIGGER ledger_accounts_keep_referenced_id ON ledger_accounts;
CREATE TRIGGER ledger_accounts_identity_fixed
  BEFORE UPDATE OF id, kind, owner_id, currency, no_overdraft ON ledger_accounts
  FOR EACH ROW WHEN (
    (OLD.id, OLD.kind, OLD.owner_id, OLD.currency, OLD.no_overdraft)
      IS DISTINCT FROM (NEW.id, NEW.kind, NEW.owner_id, NEW.currency, NEW.no_overdraft)
  ) EXECUTE FUNCTION ledger_accounts_keep_referenced();
