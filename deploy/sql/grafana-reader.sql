-- A read-only role for Grafana on an existing database (psql -v reader_password=... -f this file,
-- as the owner of the collector's tables). New tables of later migrations are covered by the
-- default privileges; tables that existed before are granted here.
create role grafana_reader login password :'reader_password';
grant connect on database patrol to grafana_reader;
grant usage on schema public to grafana_reader;
grant select on all tables in schema public to grafana_reader;
alter default privileges in schema public grant select on tables to grafana_reader;
-- A wallboard query that runs away must not hold the database.
alter role grafana_reader set statement_timeout = '30s';
