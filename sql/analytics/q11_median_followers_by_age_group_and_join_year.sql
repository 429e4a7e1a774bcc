-- Run by the Spark batch driver on views pin, user and age_groups:
-- docs/spec.md §6 task 11, by age and join year.
with users_joined_2015_to_2020 as (
  -- Each person (user_name, age, date_joined) counts once, with their largest follower count
  select user.user_name, user.age, user.date_joined, max(pin.follower_count) as follower_count
  from user
  join pin on pin.ind = user.ind
  where year(user.date_joined) between 2015 and 2020
  group by user.user_name, user.age, user.date_joined
),

users_by_age_group as (
  select
    age_groups.age_group,
    age_groups.age_group_order,
    year(date_joined) as post_year,
    follower_count
  from users_joined_2015_to_2020
  join age_groups on age between age_groups.min_age and age_groups.max_age
  where follower_count is not null
)

-- percentile is exact and averages the two middle values of an even-sized group
select age_group, post_year, percentile(follower_count, 0.5) as median_follower_count
from users_by_age_group
group by age_group, age_group_order, post_year
order by age_group_order, post_year
