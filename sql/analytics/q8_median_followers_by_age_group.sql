-- Run by the Spark batch driver on views pin, user and age_groups:
-- docs/spec.md §6 task 8, followers by age group.
with posts_by_age_group as (
  select
    age_groups.age_group,
    age_groups.age_group_order,
    pin.follower_count
  from pin
  join user on user.ind = pin.ind
  join age_groups on user.age between age_groups.min_age and age_groups.max_age
  where pin.follower_count is not null
)

-- percentile is exact and averages the two middle values of an even-sized group
select age_group, percentile(follower_count, 0.5) as median_follower_count
from posts_by_age_group
group by age_group, age_group_order
order by age_group_order
