-- Rate-limit windows shared by replicas (PRODUCT.md §8): each replica writes its
-- own count per bucket and window every fraction of a second and reads the
-- others' sum, so N replicas together allow the configured limit; no request
-- waits for the database.
create table rate_count (
    bucket  text   not null,
    -- unix minute (the window)
    window_start bigint not null,
    replica text   not null,
    count   bigint not null,
    primary key (bucket, window_start, replica)
);
