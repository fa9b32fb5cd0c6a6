-- How a replica learns, within a second and without reading the store per request,
-- that another process changed what its in-memory caches hold (PRODUCT.md §9):
-- every change to a secret key, an embed key's status or a customer's status bumps
-- `auth_revision`, and that and every data import notify the `quarry_changes`
-- channel on commit. Triggers do it, so no writer (an API call, the CLI, another
-- replica) can forget to.
create table auth_revision (
    id       integer primary key check (id = 1),
    revision bigint  not null
);
insert into auth_revision (id, revision) values (1, 0);

create function quarry_auth_changed() returns trigger language plpgsql as $$
begin
    update auth_revision set revision = revision + 1 where id = 1;
    perform pg_notify('quarry_changes', 'auth');
    return null;
end
$$;

create function quarry_data_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('quarry_changes', 'data');
    return null;
end
$$;

create trigger api_key_changed after update or delete on api_key
    for each row execute function quarry_auth_changed();

create trigger embed_key_status_changed after update of status on embed_key
    for each row when (old.status is distinct from new.status)
    execute function quarry_auth_changed();
create trigger embed_key_deleted after delete on embed_key
    for each row execute function quarry_auth_changed();

create trigger customer_status_changed after update of status on partner_customer
    for each row when (old.status is distinct from new.status)
    execute function quarry_auth_changed();
create trigger customer_deleted after delete on partner_customer
    for each row execute function quarry_auth_changed();

create trigger data_version_changed after update on data_version
    for each row execute function quarry_data_changed();
