-- The purchase path as one unit of work, and the holes a review found in it
-- closed: how embed sessions prove their customer, single-use server-minted
-- session secrets, the people each purchase covered (so an export can be
-- rendered again instead of kept), fenced delivery claims, endpoints that
-- answered 410, purged chunk bodies, and one usage ledger with exact ranges.

-- none, signature or server_session (PRODUCT.md §2.7); it replaces
-- require_customer_signature (true became 'signature'), which the API still
-- accepts and shows, derived from it.
alter table embed_key add column customer_verification text not null default 'none';
update embed_key set customer_verification = 'signature' where require_customer_signature;
alter table embed_key drop column require_customer_signature;

-- Server-minted session secrets (`qss_…`): only a digest is kept, each is used once
-- and only before it expires (five minutes).
create table embed_server_session (
    secret_hash          text   primary key,
    partner_id           text   not null,
    mode                 text   not null,
    embed_key_id         text   not null references embed_key (embed_key_id),
    external_customer_id text   not null,
    customer_name        text,
    user_id              text,
    created_at           bigint not null,
    expires_at           bigint not null,
    used_at              bigint
);
create index embed_server_session_expiry on embed_server_session (expires_at);

-- The purchase's people in request order, as a JSON array of person ids.
alter table purchase add column people text;

-- A claim is a lease with a token; every write of the round holding it checks it.
alter table delivery add column claim_token text;

-- Chunk bodies of delivered chunks are emptied after a retention period.
alter table delivery_chunk add column body_purged_at bigint;

-- Delivery URLs that answered 410 Gone: no pushes until the partner sets the URL again.
create table gone_endpoint (
    partner_id  text   not null,
    mode        text   not null,
    url         text   not null,
    delivery_id text   not null,
    marked_at   bigint not null,
    primary key (partner_id, mode, url)
);

-- Stored answers too large to keep are replayed from a recipe (an export's
-- purchase, a session's first page) instead: JSON, null for stored bodies.
alter table idempotency_key add column response_recipe text;
-- The request that holds an in-progress key: only it renews, finishes or releases it.
alter table idempotency_key add column owner text;

-- Finds delivered chunk bodies still to purge without reading every body.
create index delivery_chunk_purge on delivery_chunk (delivered_at) where body_purged_at is null;

-- Partner usage outside the wallets (successful API requests, records the data API
-- returned) per second, so `GET /v1/usage` sums exactly the range asked for, as it
-- does for the ledger.
create table usage_counter (
    partner_id text   not null,
    mode       text   not null,
    kind       text   not null,
    -- unix second
    at         bigint not null,
    units      bigint not null,
    primary key (partner_id, mode, kind, at)
);
insert into usage_counter (partner_id, mode, kind, at, units)
    select partner_id, mode, 'request', day, requests from usage_requests;
drop table usage_requests;
