-- Idempotency-Key (PRODUCT.md §8): the first answer to a mutating request is kept
-- for 24 hours and replayed for the same key, caller and request.
create table idempotency_key (
    scope            text   not null,
    idem_key         text   not null,
    -- SHA-256 of method, path, query and body
    fingerprint      text   not null,
    -- in_progress or done
    state            text   not null,
    -- an in-progress request older than this was abandoned (crash, timeout)
    locked_until     bigint not null,
    response_status  bigint,
    response_headers text,
    response_body    bytea,
    created_at       bigint not null,
    expires_at       bigint not null,
    primary key (scope, idem_key)
);
create index idempotency_key_expiry on idempotency_key (expires_at);

-- Successful partner API requests per partner, mode and UTC day, for GET /v1/usage.
-- Counted in memory and added here every few seconds.
create table usage_requests (
    partner_id text   not null,
    mode       text   not null,
    -- unix seconds of the day's first second (UTC)
    day        bigint not null,
    requests   bigint not null,
    primary key (partner_id, mode, day)
);
