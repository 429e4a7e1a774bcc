-- Run by the Spark batch driver on view user: docs/spec.md §6 task 9, users who joined each year.
with users_joined_2015_to_2020 as (
  -- One person appears on many rows: identity is (user_name, age, date_joined)
  select distinct user_name, age, date_joined
  from user
  where year(date_joined) between 2015 and 2020
)

select year(date_joined) as post_year, count(*) as number_users_joined
from users_joined_2015_to_2020
group by year(date_joined)
order by post_year
