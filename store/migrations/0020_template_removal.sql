-- Customer account templates are maintained as data. A removed template
-- keeps its row (customers created from it still reference its code) and
-- is only hidden from the list and from Create.
ALTER TABLE customer_templates ADD COLUMN removed_at INTEGER;
