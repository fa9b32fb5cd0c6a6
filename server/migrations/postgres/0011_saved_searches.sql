-- Saved searches (PRODUCT.md §3, §7): a customer's search kept by name, run
-- again later. `seen` is the people shown for it so far (a serialised roaring
-- bitmap of the index's ids), so "N new since you last looked" is the matches
-- minus `seen`. A watched search is evaluated after each import;
-- `notified_version` is the data version it last announced, moved by a
-- conditional update so each import announces it once, whichever replica runs.
create table saved_search (
    saved_search_id     text    primary key,
    partner_id          text    not null,
    mode                text    not null,
    partner_customer_id text    not null references partner_customer (partner_customer_id),
    name                text    not null,
    q                   text    not null,
    -- AppliedFilters as JSON
    filters             text    not null,
    watch               boolean not null,
    seen                bytea   not null,
    seen_count          bigint  not null,
    -- the people already announced as new matches (never announced twice)
    announced           bytea   not null,
    last_viewed_at      bigint,
    notified_version    bigint  not null,
    created_at          bigint  not null,
    updated_at          bigint  not null
);
create index saved_search_by_customer on saved_search (partner_customer_id, saved_search_id);
create index saved_search_watched on saved_search (mode, watch);
