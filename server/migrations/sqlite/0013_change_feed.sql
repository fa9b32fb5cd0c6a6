-- How the server learns, within a second and without reading the store per
-- request, that another process (the CLI) changed what its in-memory caches hold
-- (PRODUCT.md §9): every change to a secret key, an embed key's status or a
-- customer's status bumps `auth_revision`, which the server reads a few times a
-- second beside `data_version`. Triggers do it, so no writer can forget to.
create table auth_revision (
    id       integer primary key check (id = 1),
    revision integer not null
);
insert into auth_revision (id, revision) values (1, 0);

create trigger api_key_changed after update on api_key
begin
    update auth_revision set revision = revision + 1 where id = 1;
end;
create trigger api_key_deleted after delete on api_key
begin
    update auth_revision set revision = revision + 1 where id = 1;
end;

create trigger embed_key_status_changed after update of status on embed_key
    when old.status is not new.status
begin
    update auth_revision set revision = revision + 1 where id = 1;
end;
create trigger embed_key_deleted after delete on embed_key
begin
    update auth_revision set revision = revision + 1 where id = 1;
end;

create trigger customer_status_changed after update of status on partner_customer
    when old.status is not new.status
begin
    update auth_revision set revision = revision + 1 where id = 1;
end;
create trigger customer_deleted after delete on partner_customer
begin
    update auth_revision set revision = revision + 1 where id = 1;
end;
