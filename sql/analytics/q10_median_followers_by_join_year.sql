-- Run by the Spark batch driver on views pin and user: docs/spec.md §6 task 10, followers by join
-- year.
with users_joined_2015_to_2020 as (
  -- Each person (user_name, age, date_joined) counts once, with their largest follower count
  select user.user_name, user.age, user.date_joined, max(pin.follower_count) as follower_count
  from user
  join pin on pin.ind = user.ind
  where year(user.date_joined) between 2015 and 2020
  group by user.user_name, user.age, user.date_joined
)

-- percentile is exact and averages the two middle values of an even-sized group
select
  year(date_joined) as post_year,
  percentile(follower_count, 0.5) as median_follower_count
from users_joined_2015_to_2020
where follower_count is not null
group by year(date_joined)
order by post_year
