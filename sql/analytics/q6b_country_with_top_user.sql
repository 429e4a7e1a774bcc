-- Run by the Spark batch driver on views pin and geo: docs/spec.md §6 task 6b, country of the top
-- poster.
with poster_followers_by_country as (
  select geo.country, pin.poster_name, max(pin.follower_count) as follower_count
  from pin
  join geo on geo.ind = pin.ind
  where geo.country is not null
    and pin.poster_name is not null
    and pin.follower_count is not null
  group by geo.country, pin.poster_name
),

top_poster_per_country as (
  select country, max(follower_count) as follower_count
  from poster_followers_by_country
  group by country
)

-- One row: a tie between countries goes to the first country name
select country, follower_count
from top_poster_per_country
order by follower_count desc, country
limit 1
