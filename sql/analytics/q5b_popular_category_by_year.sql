-- Run by the Spark batch driver on views pin and geo: docs/spec.md §6 task 5b, top category per
-- year.
with posts_2018_to_2022 as (
  select year(geo.`timestamp`) as post_year, pin.category
  from pin
  join geo on geo.ind = pin.ind
  where year(geo.`timestamp`) between 2018 and 2022 and pin.category is not null
),

category_counts as (
  select post_year, category, count(*) as category_count
  from posts_2018_to_2022
  group by post_year, category
),

ranked_categories as (
  -- rank() gives tied categories the same rank, so every top category is kept
  select *, rank() over (partition by post_year order by category_count desc) as popularity_rank
  from category_counts
)

select post_year, category, category_count
from ranked_categories
where popularity_rank = 1
order by post_year, category
