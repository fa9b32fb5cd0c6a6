-- no-transaction
-- Async person-search jobs and webhook endpoints (PRODUCT.md §7), both on the
-- delivery engine: a delivery now goes either to an embed key's push URL (a
-- purchase's records) or to a webhook endpoint (an event), so the push-only
-- columns become optional and a delivery says which event it carries.
--
-- SQLite cannot drop a NOT NULL, so `delivery` is rebuilt the documented way
-- (https://sqlite.org/lang_altertable.html#otheralter): foreign keys off, one
-- transaction, copy, drop, rename, foreign keys on. Every row is copied, so
-- the references into it hold as before.

pragma foreign_keys = off;
begin immediate;

create table delivery_new (
    delivery_id         text   primary key,
    partner_id          text   not null,
    mode                text   not null,
    partner_customer_id text   references partner_customer (partner_customer_id),
    embed_key_id        text,
    purchase_id         text,
    search_id           text,
    url                 text   not null,
    status              text   not null,
    chunks              bigint not null,
    attempts            bigint not null,
    next_attempt_at     bigint,
    claimed_until       bigint,
    last_status         bigint,
    last_error          text,
    created_at          bigint not null,
    updated_at          bigint not null,
    claim_token         text,
    endpoint_id         text,
    event_type          text   not null default 'prospecting.records.pushed'
);
insert into delivery_new (delivery_id, partner_id, mode, partner_customer_id, embed_key_id, purchase_id,
    search_id, url, status, chunks, attempts, next_attempt_at, claimed_until, last_status, last_error,
    created_at, updated_at, claim_token)
    select delivery_id, partner_id, mode, partner_customer_id, embed_key_id, purchase_id, search_id, url,
        status, chunks, attempts, next_attempt_at, claimed_until, last_status, last_error, created_at,
        updated_at, claim_token from delivery;
drop table delivery;
alter table delivery_new rename to delivery;
create index delivery_due on delivery (status, next_attempt_at);
create index delivery_by_partner on delivery (partner_id, mode, delivery_id);
create index delivery_by_endpoint on delivery (endpoint_id, delivery_id) where endpoint_id is not null;

-- A partner's webhook endpoints. The previous secret still signs (both
-- signatures are sent) until `previous_secret_until`. `failing_since` is the
-- first failed attempt since the last success; an endpoint failing for too long
-- is disabled with `disabled_reason` = 'failing'.
create table webhook_endpoint (
    endpoint_id           text   primary key,
    partner_id            text   not null,
    mode                  text   not null,
    url                   text   not null,
    description           text,
    -- JSON array of event types, or ["*"]
    events                text   not null,
    -- active or disabled
    status                text   not null,
    -- manual or failing, when disabled
    disabled_reason       text,
    secret                text   not null,
    previous_secret       text,
    previous_secret_until bigint,
    failing_since         bigint,
    created_at            bigint not null,
    updated_at            bigint not null
);
create index webhook_endpoint_by_partner on webhook_endpoint (partner_id, mode, endpoint_id);

-- Async person searches. `request` is the validated search and `prepared` the
-- stored interpretation with its criteria (the worker never re-interprets);
-- `result` is the page once it succeeded. Claimed like deliveries: a lease with
-- a token every later write checks.
create table search_job (
    job_id          text   primary key,
    partner_id      text   not null,
    mode            text   not null,
    -- the dedupe scope of the key that created it
    scope           text   not null,
    -- queued, running, succeeded, failed or cancelled
    status          text   not null,
    search_strategy text   not null,
    request         text   not null,
    prepared        text   not null,
    interpretation  text   not null,
    result          text,
    billable_records bigint,
    error_code      text,
    error_message   text,
    attempts        bigint not null,
    claim_token     text,
    claimed_until   bigint,
    created_at      bigint not null,
    started_at      bigint,
    finished_at     bigint,
    expires_at      bigint
);
create index search_job_queue on search_job (status, created_at);
create index search_job_by_partner on search_job (partner_id, mode, job_id);
-- the per-partner queue bound counts queued jobs; the purge finds expired results
create index search_job_by_status on search_job (partner_id, mode, status);
create index search_job_expiry on search_job (expires_at) where result is not null;

commit;
pragma foreign_keys = on;
