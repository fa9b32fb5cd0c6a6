-- Buying records (PRODUCT.md §4 "Billing"): which people each partner customer owns,
-- and every purchase that made them owners. A record a customer owns is delivered
-- again for free; the primary key makes "billed twice" impossible to store.

create table owned_record (
    partner_customer_id text   not null references partner_customer (partner_customer_id),
    -- person.id, the internal id the search index uses
    person              bigint not null,
    purchase_id         text   not null,
    bought_at           bigint not null,
    primary key (partner_customer_id, person)
);

create table purchase (
    purchase_id         text   primary key,
    partner_customer_id text   not null references partner_customer (partner_customer_id),
    user_id             text,
    -- the prospecting session the selection came from, if any
    search_id           text,
    records             bigint not null,
    net_new_records     bigint not null,
    credit_units        bigint not null,
    created_at          bigint not null
);
create index purchase_by_customer on purchase (partner_customer_id, purchase_id);

-- Prospecting sessions: one search of one partner customer in the iframe. Paging
-- and refining stay in the session without counting a new one.
create table prospect_session (
    search_id           text   primary key,
    partner_customer_id text   not null references partner_customer (partner_customer_id),
    embed_key_id        text   not null,
    user_id             text,
    q                   text   not null,
    -- JSON of the applied filters of the first search
    filters             text   not null,
    created_at          bigint not null,
    last_used_at        bigint not null
);
create index prospect_session_by_customer on prospect_session (partner_customer_id, search_id);
