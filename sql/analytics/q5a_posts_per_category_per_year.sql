-- Run by the Spark batch driver on views pin and geo: docs/spec.md §6 task 5a, posts per category
-- per year.
with posts_2018_to_2022 as (
  select year(geo.`timestamp`) as post_year, pin.category
  from pin
  join geo on geo.ind = pin.ind
  where year(geo.`timestamp`) between 2018 and 2022 and pin.category is not null
)

select post_year, category, count(*) as category_count
from posts_2018_to_2022
group by post_year, category
order by post_year, category
