-- Run by the Spark batch driver on views pin and geo: docs/spec.md §6 task 4, top category per
-- country.
with posts_by_country as (
  select geo.country, pin.category
  from pin
  join geo on geo.ind = pin.ind
  where geo.country is not null and pin.category is not null
),

category_counts as (
  select country, category, count(*) as category_count
  from posts_by_country
  group by country, category
),

ranked_categories as (
  -- rank() gives tied categories the same rank, so every top category is kept
  select *, rank() over (partition by country order by category_count desc) as popularity_rank
  from category_counts
)

select country, category, category_count
from ranked_categories
where popularity_rank = 1
order by country, category
