-- Run by `deno task db:seed` (MariaDB/MySQL): the three source tables of docs/spec.md §2, aligned
-- by key. `index` keeps the course's column name (a reserved word, hence the backticks).
create table pinterest_data (
  `index` int not null primary key,
  unique_id varchar(36) not null,
  title text,
  description text,
  poster_name varchar(255),
  follower_count varchar(32),
  tag_list text,
  is_image_or_video varchar(64),
  image_src text,
  downloaded int,
  save_location varchar(255),
  category varchar(64)
);

create table geolocation_data (
  ind int not null primary key,
  `timestamp` datetime,
  latitude double,
  longitude double,
  country varchar(255)
);

create table user_data (
  ind int not null primary key,
  first_name varchar(255),
  last_name varchar(255),
  age int,
  date_joined datetime
);
