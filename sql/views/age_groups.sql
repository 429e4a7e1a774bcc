-- The age groups of docs/spec.md §6 (tasks 7, 8 and 11), defined once: view age_groups holds each
-- group's age range, label and sort order (labels do not sort in age order: '+50' first).
-- Registered by both drivers (scripts/spark/batch_job.py, scripts/lib/batch/databricks.ts)
-- before any analytics query; ages outside every range (under 18) belong to no group.
create or replace temporary view age_groups as
select * from values
  (18, 24, '18-24', 1),
  (25, 35, '25-35', 2),
  (36, 50, '36-50', 3),
  (51, 2147483647, '+50', 4)
  as groups(min_age, max_age, age_group, age_group_order)
