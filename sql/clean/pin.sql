-- Run by the Spark batch driver (scripts/spark/batch_job.py) on view raw_pin: docs/spec.md §5 clean
-- pins.
with pins_without_empty_strings as (
  -- Raw values may be JSON numbers or strings; empty strings mean "no value"
  select
    try_cast(`index` as int) as ind,
    nullif(unique_id, '') as unique_id,
    nullif(title, '') as title,
    nullif(description, '') as description,
    nullif(trim(follower_count), '') as follower_count,
    nullif(poster_name, '') as poster_name,
    nullif(tag_list, '') as tag_list,
    nullif(is_image_or_video, '') as is_image_or_video,
    nullif(image_src, '') as image_src,
    nullif(save_location, '') as save_location,
    nullif(category, '') as category
  from raw_pin
),

pins_without_placeholders as (
  select
    ind,
    unique_id,
    case when title = 'No Title Data Available' then null else title end as title,
    case
      when description in (
        'No description available Story format', 'No description available', 'Untitled'
      ) then null
      else description
    end as description,
    -- 12k, 1.5k, 3M, plain digits; anything else (User Info Error...) has no count. The two
    -- patterns are defined in scripts/lib/source/follower_count.ts (a test keeps them equal)
    case
      when follower_count rlike '^[0-9]+$' then try_cast(follower_count as bigint)
      when follower_count rlike '^[0-9]+([.][0-9]+)?[kKmM]$' then try_cast(round(
        try_cast(substring(follower_count, 1, length(follower_count) - 1) as decimal(30, 6))
        * case when upper(right(follower_count, 1)) = 'K' then 1000 else 1000000 end
      ) as bigint)
    end as follower_count,
    case when poster_name = 'User Info Error' then null else poster_name end as poster_name,
    case
      when tag_list = 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e' then null else tag_list
    end as tag_list,
    is_image_or_video,
    case when image_src = 'Image src error.' then null else image_src end as image_src,
    nullif(regexp_extract(save_location, '/data/.*$', 0), '') as save_location,
    category
  from pins_without_empty_strings
  -- A record without its source key can neither be joined nor de-duplicated
  where ind is not null
),

one_delivery_per_ind as (
  -- At-least-once delivery repeats whole records: keep one copy, chosen deterministically
  select *, row_number() over (
    partition by ind
    order by unique_id, title, description, follower_count, poster_name, tag_list,
      is_image_or_video, image_src, save_location, category
  ) as copy_number
  from pins_without_placeholders
),

one_pin_per_unique_id as (
  -- unique_id is the pin's other source key; a pin without one stays keyed by ind alone
  select *, row_number() over (
    partition by coalesce(unique_id, cast(ind as string)) order by ind
  ) as unique_id_copy_number
  from one_delivery_per_ind
  where copy_number = 1
)

select
  ind, unique_id, title, description, follower_count, poster_name, tag_list,
  is_image_or_video, image_src, save_location, category
from one_pin_per_unique_id
where unique_id_copy_number = 1
