-- Suppression lists (PRODUCT.md §7): per partner customer, the e-mails, company
-- domains and person ids already in the partner's CRM, which net-new search
-- leaves out. `suppression_list.version` moves with every change, so every
-- replica's cached set of suppressed people knows when it is stale.
create table suppression (
    partner_customer_id text   not null references partner_customer (partner_customer_id),
    -- email, domain or person_id
    kind                text   not null,
    value               text   not null,
    created_at          bigint not null,
    primary key (partner_customer_id, kind, value)
);

create table suppression_list (
    partner_customer_id text   primary key references partner_customer (partner_customer_id),
    version             bigint not null,
    entries             bigint not null,
    updated_at          bigint not null
);
