-- Run by the Spark batch driver on views pin and geo: docs/spec.md §6 task 6a, top poster per
-- country.
with poster_followers_by_country as (
  -- A poster with several pins in a country counts once, with their largest follower count
  select geo.country, pin.poster_name, max(pin.follower_count) as follower_count
  from pin
  join geo on geo.ind = pin.ind
  where geo.country is not null
    and pin.poster_name is not null
    and pin.follower_count is not null
  group by geo.country, pin.poster_name
),

ranked_posters as (
  -- rank() gives tied posters the same rank, so every top poster is kept
  select *, rank() over (partition by country order by follower_count desc) as follower_rank
  from poster_followers_by_country
)

select country, poster_name, follower_count
from ranked_posters
where follower_rank = 1
order by country, poster_name
