-- Push delivery (PRODUCT.md §5): durable jobs committed with their purchase, one
-- row per chunk of at most 1,000 records, and every attempt for the delivery log.

-- Standard Webhooks signing secrets of embed keys; the previous one is still used
-- (both signatures are sent) until `previous_webhook_secret_until`.
alter table embed_key add column webhook_secret text;
alter table embed_key add column previous_webhook_secret text;
alter table embed_key add column previous_webhook_secret_until bigint;

create table delivery (
    delivery_id         text   primary key,
    partner_id          text   not null,
    mode                text   not null,
    partner_customer_id text   not null references partner_customer (partner_customer_id),
    embed_key_id        text   not null,
    purchase_id         text   not null,
    search_id           text,
    url                 text   not null,
    -- pending, delivered, failed (retries exhausted) or gone (the endpoint answered 410)
    status              text   not null,
    chunks              bigint not null,
    attempts            bigint not null,
    next_attempt_at     bigint,
    -- a worker (or the pushing request) holds the job until then
    claimed_until       bigint,
    last_status         bigint,
    last_error          text,
    created_at          bigint not null,
    updated_at          bigint not null
);
create index delivery_due on delivery (status, next_attempt_at);
create index delivery_by_partner on delivery (partner_id, mode, delivery_id);

create table delivery_chunk (
    delivery_id  text   not null references delivery (delivery_id),
    chunk        bigint not null,
    body         text   not null,
    delivered_at bigint,
    primary key (delivery_id, chunk)
);

create table delivery_attempt (
    attempt_id  bigint  generated always as identity primary key,
    delivery_id text    not null references delivery (delivery_id),
    chunk       bigint  not null,
    at          bigint  not null,
    status_code bigint,
    latency_ms  bigint  not null,
    error       text
);
create index delivery_attempt_by_delivery on delivery_attempt (delivery_id, attempt_id);
