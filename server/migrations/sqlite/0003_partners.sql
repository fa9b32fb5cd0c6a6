-- Partners, their keys, their customers and the customers' wallets (PRODUCT.md §2,
-- §4 and §7). Every partner-owned row carries (partner_id, mode): live and test
-- (sandbox) objects of one partner never see each other.

create table partner (
    partner_id text   primary key,
    name       text   not null,
    created_at bigint not null
);

-- Secret API keys: only a SHA-256 digest and a visible prefix are kept.
create table api_key (
    key_id      text    primary key,
    partner_id  text    not null references partner (partner_id),
    mode        text    not null check (mode in ('live', 'test')),
    label       text,
    prefix      text    not null,
    secret_hash text    not null unique,
    -- space-separated scope names
    scopes      text    not null,
    created_at  bigint  not null,
    -- set when the key was rotated with a grace period
    expires_at  bigint,
    revoked_at  bigint
);
create index api_key_by_prefix on api_key (prefix);
create index api_key_by_partner on api_key (partner_id, key_id);

-- Browser-safe loader keys. The public key is stored as a digest; the customer
-- signing secret must be kept to check assertions, so it is stored as issued.
create table embed_key (
    embed_key_id                    text    primary key,
    partner_id                      text    not null references partner (partner_id),
    mode                            text    not null check (mode in ('live', 'test')),
    label                           text,
    key_prefix                      text    not null,
    key_hash                        text    not null unique,
    signing_secret                  text    not null,
    status                          text    not null check (status in ('active', 'revoked')),
    -- JSON array of normalised origins
    allowed_origins                 text    not null,
    result_delivery_url             text,
    result_delivery_cta             text,
    csv_export_enabled              integer not null,
    require_customer_signature      integer not null,
    credit_units_per_record         bigint  not null,
    token_ttl_seconds               bigint  not null,
    default_credit_enforcement_mode text    not null,
    default_credit_reset_policy     text    not null,
    -- JSON object of optional limits
    default_limits                  text    not null,
    -- JSON array of result actions
    default_allowed_result_actions  text    not null,
    created_at                      bigint  not null,
    updated_at                      bigint  not null,
    revoked_at                      bigint
);
create index embed_key_by_prefix on embed_key (key_prefix);
create index embed_key_by_partner on embed_key (partner_id, mode, embed_key_id);

create table partner_customer (
    partner_customer_id     text    primary key,
    partner_id              text    not null references partner (partner_id),
    mode                    text    not null check (mode in ('live', 'test')),
    external_customer_id    text    not null,
    name                    text,
    status                  text    not null check (status in ('active', 'suspended')),
    credit_enforcement_mode text    not null,
    credit_reset_policy     text    not null,
    limits                  text    not null,
    allowed_result_actions  text    not null,
    result_delivery_url     text,
    result_delivery_cta     text,
    csv_export_enabled      integer not null,
    -- the embed key whose session created the customer, if one did
    embed_key_id            text,
    created_at              bigint  not null,
    updated_at              bigint  not null,
    unique (partner_id, mode, external_customer_id)
);
create index partner_customer_by_partner on partner_customer (partner_id, mode, partner_customer_id);

create table credit_grant (
    grant_id            text   primary key,
    partner_customer_id text   not null references partner_customer (partner_customer_id),
    units               bigint not null check (units > 0),
    credit_type         text,
    starts_at           bigint not null,
    expires_at          bigint,
    note                text,
    created_at          bigint not null
);
create index credit_grant_by_customer on credit_grant (partner_customer_id);

-- Append-only: balances and usage counters are derived from these rows.
create table wallet_ledger (
    entry_id            integer primary key autoincrement,
    partner_customer_id text    not null references partner_customer (partner_customer_id),
    at                  bigint  not null,
    kind                text    not null,
    units               bigint  not null,
    grant_id            text,
    user_id             text,
    -- what the entry is for: a grant id, a search id, a purchase id
    reference           text
);
create index wallet_ledger_by_customer on wallet_ledger (partner_customer_id, entry_id);
