-- Run by the Spark batch driver on views pin, user and age_groups:
-- docs/spec.md §6 task 7, top category per age group.
with posts_by_age_group as (
  select
    age_groups.age_group,
    age_groups.age_group_order,
    pin.category
  from pin
  join user on user.ind = pin.ind
  join age_groups on user.age between age_groups.min_age and age_groups.max_age
  where pin.category is not null
),

category_counts as (
  select age_group, age_group_order, category, count(*) as category_count
  from posts_by_age_group
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
