ALTER TABLE surveys DROP COLUMN personal_erased_at;
ALTER TABLE surveys DROP COLUMN personal_retention_days;
