-- Run by the Spark batch driver (scripts/spark/batch_job.py) on view raw_user: docs/spec.md §5
-- clean users.
with users_without_empty_strings as (
  -- Raw values may be JSON numbers or strings; empty strings mean "no value"
  select
    try_cast(ind as int) as ind,
    nullif(first_name, '') as first_name,
    nullif(last_name, '') as last_name,
    try_cast(age as int) as age,
    nullif(trim(date_joined), '') as date_joined_text
  from raw_user
),

typed_user as (
  select
    ind,
    -- concat_ws keeps the known half of a name whose other half is missing
    nullif(concat_ws(' ', first_name, last_name), '') as user_name,
    age,
    -- Zone-less ISO text is UTC whatever the session time zone: say so with a Z
    try_cast(
      case
        when date_joined_text rlike '(Z|[+-][0-9]{2}:?[0-9]{2})$'
          then replace(date_joined_text, ' ', 'T')
        else concat(replace(date_joined_text, ' ', 'T'), 'Z')
      end as timestamp
    ) as date_joined
  from users_without_empty_strings
  -- A record without its source key can neither be joined nor de-duplicated
  where ind is not null
),

one_delivery_per_ind as (
  -- At-least-once delivery repeats whole records: keep one copy, chosen deterministically
  select *, row_number() over (
    partition by ind order by user_name, age, date_joined
  ) as copy_number
  from typed_user
)

select ind, user_name, age, date_joined
from one_delivery_per_ind
where copy_number = 1
