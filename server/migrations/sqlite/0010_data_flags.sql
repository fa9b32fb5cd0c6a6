-- Data flags (PRODUCT.md §7): a record reported bad by a partner or by one of its
-- customers. A flag on a record the customer bought in the last 30 days credits
-- its units back once (`credited_units`, with a `flag_credit` ledger entry); the
-- partial unique index keeps that to one flag per customer and person even when
-- flags race.
create table data_flag (
    flag_id             text   primary key,
    partner_id          text   not null,
    mode                text   not null,
    partner_customer_id text,
    -- the data set's internal id, and the operator's stable id
    person              bigint not null,
    person_id           text   not null,
    -- bounced_email, wrong_phone, left_company, wrong_title or other
    reason              text   not null,
    note                text,
    -- api (a partner's backend) or widget (the customer)
    source              text   not null,
    credited_units      bigint not null,
    grant_id            text,
    purchase_id         text,
    created_at          bigint not null
);
create index data_flag_by_partner on data_flag (partner_id, mode, flag_id);
create index data_flag_by_person on data_flag (person, reason);
create unique index data_flag_credited on data_flag (partner_customer_id, person) where credited_units > 0;
