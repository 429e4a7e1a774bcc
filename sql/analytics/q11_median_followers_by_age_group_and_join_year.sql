-- Run by the Spark batch driver on views pin and user: SPEC §6 task 11, by age and join year.
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
    case
      when age between 18 and 24 then '18-24'
      when age between 25 and 35 then '25-35'
      when age between 36 and 50 then '36-50'
      when age > 50 then '+50'
    end as age_group,
    -- Labels do not sort in age order ('+50' first): carry the order along
    case
      when age between 18 and 24 then 1
      when age between 25 and 35 then 2
      when age between 36 and 50 then 3
      when age > 50 then 4
    end as age_group_order,
    year(date_joined) as post_year,
    follower_count
  from users_joined_2015_to_2020
  where follower_count is not null
)

-- percentile is exact and averages the two middle values of an even-sized group
select age_group, post_year, percentile(follower_count, 0.5) as median_follower_count
from users_by_age_group
where age_group is not null
group by age_group, age_group_order, post_year
order by age_group_order, post_year
