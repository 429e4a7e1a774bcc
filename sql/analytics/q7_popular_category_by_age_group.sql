-- Run by the Spark batch driver on views pin and user: SPEC §6 task 7, top category per age group.
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
    pin.category
  from pin
  join user on user.ind = pin.ind
  where pin.category is not null
),

category_counts as (
  select age_group, age_group_order, category, count(*) as category_count
  from posts_by_age_group
  where age_group is not null
  group by age_group, age_group_order, category
),

ranked_categories as (
  -- rank() gives tied categories the same rank, so every top category is kept
  select *, rank() over (partition by age_group order by category_count desc) as popularity_rank
  from category_counts
)

select age_group, category, category_count
from ranked_categories
where popularity_rank = 1
order by age_group_order, category
