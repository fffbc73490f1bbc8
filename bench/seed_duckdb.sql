-- The seed query (content/queries/t1596_002_whois.aql) as DuckDB SQL over the same
-- NDJSON. LOGSOURCETYPENAME(devicetype) is the CASE over the type ids the benchmark
-- input uses, and LAST 24 HOURS is a filter on starttime against the same --now.
SET TimeZone = 'UTC';
COPY (
  SELECT
    strftime(make_timestamp(devicetime * 1000), '%Y-%m-%d %H:%M:%S') AS "EventTime",
    logsourcename AS "LogSource",
    CASE devicetype
      WHEN 12 THEN 'Microsoft Windows Security Event Log' WHEN 11 THEN 'Linux OS'
      WHEN 46 THEN 'Squid Web Proxy' WHEN 185 THEN 'ISC BIND'
      WHEN 4 THEN 'Configurable Firewall Filter' WHEN 105 THEN 'SIM Audit'
      WHEN 18 THEN 'Custom Rule Engine' END AS "LogSourceType",
    username, sourceip, destinationip, eventid, deviceaction, message,
    CASE WHEN destinationport = 43
           OR lower(destinationhostname) IN ('who.is', 'whois.domaintools.com', 'arin.net', 'ripe.net')
         THEN 8 ELSE 4 END AS "RiskScore"
  FROM read_json(getvariable('input'), format = 'newline_delimited', columns = {
    starttime: 'BIGINT', devicetime: 'BIGINT', logsourceid: 'BIGINT', logsourcename: 'VARCHAR',
    devicetype: 'BIGINT', sourceip: 'VARCHAR', destinationip: 'VARCHAR', sourceport: 'BIGINT',
    destinationport: 'BIGINT', eventid: 'BIGINT', deviceaction: 'VARCHAR', username: 'VARCHAR',
    destinationhostname: 'VARCHAR', message: 'VARCHAR'})
  WHERE (destinationport = 43
         OR lower(destinationhostname) IN ('who.is', 'whois.domaintools.com', 'arin.net', 'ripe.net'))
    AND devicetype NOT IN (105, 18)
    AND starttime BETWEEN getvariable('now') - 86400000 AND getvariable('now')
  ORDER BY "RiskScore" DESC, "EventTime" DESC
) TO '/dev/stdout' (FORMAT json);
