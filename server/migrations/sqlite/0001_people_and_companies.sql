-- The data set partners search: companies and the people who work at them.
-- `id` is a dense integer surrogate (the search index keys its bitmaps on it);
-- `company_id` / `person_id` are the operator's own stable ids, used by import
-- (upsert) and exposed in the API. Timestamps are unix seconds (UTC).

create table company (
    id             integer primary key,
    company_id     text    not null unique,
    name           text    not null,
    -- normalised: lowercase, no scheme, no www., no path
    domain         text    not null,
    website        text,
    phone          text,                 -- E.164
    linkedin_url   text,
    revenue        bigint,               -- annual revenue, USD
    employee_count bigint,
    industry       text,                 -- TAXONOMY.md industry key
    sic            text,
    naics          text,
    city           text,
    state          text,                 -- two-letter code
    country        text    not null default 'US',
    keywords       text    not null default '',  -- ';'-separated
    updated_at     bigint  not null
);

create index company_domain on company (domain);
create index company_industry on company (industry);
create index company_state_city on company (state, city);
create index company_employee_count on company (employee_count);

create table person (
    id                integer primary key,
    person_id         text   not null unique,
    company_id        text   not null references company (company_id),
    first_name        text   not null,
    last_name         text   not null,
    job_title         text   not null,
    seniority         text,              -- TAXONOMY.md seniority key
    department        text,              -- TAXONOMY.md department key
    business_email    text,              -- lowercase
    email_status      text,              -- verified | unverified | catch_all | invalid
    email_verified_at bigint,
    mobile_phone      text,              -- E.164
    linkedin_url      text,              -- https://www.linkedin.com/in/<slug>
    city              text,
    state             text,
    updated_at        bigint not null
);

create index person_company on person (company_id);
create index person_email on person (business_email);
create index person_linkedin on person (linkedin_url);
create index person_phone on person (mobile_phone);
create index person_seniority_department on person (seniority, department);
create index person_department on person (department);
