-- Run by the Spark batch driver (scripts/spark/batch_job.py) on view raw_geo: docs/spec.md §5 clean
-- geo.
with geo_without_empty_strings as (
  -- Raw values may be JSON numbers or strings; empty strings mean "no value"
  select
    try_cast(ind as int) as ind,
    nullif(country, '') as country,
    try_cast(latitude as double) as latitude,
    try_cast(longitude as double) as longitude,
    nullif(trim(`timestamp`), '') as timestamp_text
  from raw_geo
),

typed_geo as (
  select
    ind,
    country,
    case
      when latitude is not null or longitude is not null then array(latitude, longitude)
    end as coordinates,
    -- Zone-less ISO text is UTC whatever the session time zone: say so with a Z
    try_cast(
      case
        when timestamp_text rlike '(Z|[+-][0-9]{2}:?[0-9]{2})$'
          then replace(timestamp_text, ' ', 'T')
        else concat(replace(timestamp_text, ' ', 'T'), 'Z')
      end as timestamp
    ) as `timestamp`
  from geo_without_empty_strings
  -- A record without its source key can neither be joined nor de-duplicated
  where ind is not null
),

one_delivery_per_ind as (
  -- At-least-once delivery repeats whole records: keep one copy, chosen deterministically
  select *, row_number() over (
    partition by ind order by country, `timestamp`, coordinates
  ) as copy_number
  from typed_geo
)

select ind, country, coordinates, `timestamp`
from one_delivery_per_ind
where copy_number = 1
