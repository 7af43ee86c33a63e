-- The order in which our invoices were paid: `pay_index` counts from 1, one number per paid
-- invoice, so an application can ask for every payment after the last one it handled
-- (`waitanyinvoice`). Numbers may skip (a payment whose record failed to commit); they never
-- repeat and never go back.
ALTER TABLE invoices ADD COLUMN pay_index INTEGER;

-- Invoices paid before this migration, numbered in the order they were paid.
UPDATE invoices SET pay_index = (
    SELECT COUNT(*) FROM invoices AS earlier
    WHERE earlier.status = 'paid'
      AND (earlier.paid_at < invoices.paid_at
           OR (earlier.paid_at = invoices.paid_at AND earlier.rowid <= invoices.rowid))
) WHERE status = 'paid';

CREATE UNIQUE INDEX invoices_by_pay_index ON invoices(pay_index) WHERE pay_index IS NOT NULL;
