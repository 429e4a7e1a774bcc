-- Run by the Spark batch driver on views pin and user: SPEC §6 task 8, followers by age group.
with posts_by_age_group as (
  select
    case
      when user.age between 18 and 24 then '18-24'
      when user.age between 25 and 35 then '25-35'
      when user.age between 36 and 50 then '36-50'
      when user.age > 50 then '+50'
    end as age_group,
    -- Labels do not sort in age order ('+50' first): carry the order along
    case
      when user.age between 18 and 24 then 1
      when user.age between 25 and 35 then 2
      when user.age between 36 and 50 then 3
      when user.age > 50 then 4
    end as age_group_order,
    pin.follower_count
  from pin
  join user on user.ind = pin.ind
  where pin.follower_count is not null
)

-- percentile is exact and averages the two middle values of an even-sized group
select age_group, percentile(follower_count, 0.5) as median_follower_count
from posts_by_age_group
where age_group is not null
group by age_group, age_group_order
order by age_group_order
