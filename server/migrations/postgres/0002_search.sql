-- Search support.

-- Bumped by every bulk load in the same transaction, so running servers notice new
-- data and rebuild their in-process index without a restart.
create table data_version (
    id      integer primary key check (id = 1),
    version bigint  not null
);
insert into data_version (id, version) values (1, 1);

-- Secrets the server generates once and keeps (cursor signing, later token keys), so
-- every replica and every restart agrees on them.
create table server_secret (
    name       text   primary key,
    value      text   not null,
    created_at bigint not null
);

-- Records already delivered under a dedupe token: (scope, token digest) says who and
-- for which interpreted criteria; those people are not delivered again.
create table search_delivery (
    scope        text   not null,
    token_digest text   not null,
    person_id    bigint not null,
    delivered_at bigint not null,
    primary key (scope, token_digest, person_id)
);
