-- Retention of a round's personal data (issue 14 point 5): how many days
-- after the round's last deadline its personal answers and the recipients
-- of its e-mail are erased (NULL: kept until erased by hand), and when the
-- daily job first erased them.
ALTER TABLE surveys ADD COLUMN personal_retention_days integer
    CHECK (personal_retention_days BETWEEN 0 AND 36500);
ALTER TABLE surveys ADD COLUMN personal_erased_at timestamptz;
