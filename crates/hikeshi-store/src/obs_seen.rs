//! Correlation reads: a value by key (`Store::find_value`), and correlation in one round
//! trip (`Store::correlation_rows`): the links of every value, of its /24 or /48, and the
//! facts of the records found, read by ONE statement answering ONE row. On SQLite each
//! statement, and each row of its result, is a hand-off to the connection's worker thread
//! and back; on a busy machine every hand-off can wait for a time slice, so the tail latency
//! of "seen before" is set by how many there are, not by the index look-ups (a few
//! microseconds each).

use crate::codec::{R, ts};
use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::Sql;
use hikeshi_core::Result;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::observables::{
    CorrelationRow, Kind, RecordFacts, ValueStats, kind_code, kind_from_code,
};

/// Values per statement.
const UNION: usize = 50;

/// Per record found: the value asked about, network flag, record kind and id, then its facts
/// from whichever of the two tables holds it (all NULL when neither does).
const HIT: &str = "h.value_id, h.net, r.kind, r.record_id, COALESCE(p.id, i.id), \
     COALESCE(p.ref, i.ref), COALESCE(p.subject, i.title), COALESCE(p.status, i.status), \
     COALESCE(p.constituency_id, i.constituency_id), COALESCE(p.tlp, i.tlp), \
     COALESCE(p.named_users, i.named_users), COALESCE(p.created_by, i.created_by), \
     COALESCE(p.created_at, i.created_at)";

/// One element of the aggregated result, in [`HIT`]'s order.
#[derive(serde::Deserialize)]
struct Hit(
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn corrupt(what: &str) -> hikeshi_core::Error {
    hikeshi_core::Error::Internal(format!("corrupt correlation row: {what}"))
}

impl Hit {
    fn row(self) -> Result<CorrelationRow> {
        let Hit(
            value_id,
            net,
            record_kind,
            record_id,
            fid,
            fref,
            title,
            status,
            cons,
            tlp,
            named,
            by,
            at,
        ) = self;
        let facts = match fid {
            None => None,
            Some(id) => Some(RecordFacts {
                kind: if record_kind == "incident" {
                    TargetKind::Incident
                } else {
                    TargetKind::Report
                },
                id,
                reference: fref.ok_or_else(|| corrupt("ref"))?,
                title: title.ok_or_else(|| corrupt("title"))?,
                status: status.ok_or_else(|| corrupt("status"))?,
                constituency: cons
                    .map(|c| ConstituencyId::parse(&c).ok_or_else(|| corrupt("constituency")))
                    .transpose()?,
                tlp: Tlp::parse_field(tlp.as_deref().unwrap_or_default(), "tlp")
                    .map_err(|_| corrupt("tlp"))?,
                named_users: serde_json::from_str(named.as_deref().unwrap_or("[]"))
                    .map_err(|_| corrupt("named_users"))?,
                created_by: by
                    .as_deref()
                    .and_then(UserId::parse)
                    .ok_or_else(|| corrupt("created_by"))?,
                created_at: ts(at.ok_or_else(|| corrupt("created_at"))?)?,
            }),
        };
        Ok(CorrelationRow {
            value_id,
            network: net != 0,
            record_kind,
            record_id,
            facts,
        })
    }
}

impl SqlStore {
    pub(crate) async fn correlation_rows_impl(
        &self,
        values: &[(i64, Option<i64>)],
        limit: i64,
        net_limit: i64,
    ) -> Result<Vec<CorrelationRow>> {
        let mut out = Vec::new();
        for chunk in values.chunks(UNION) {
            // All the rows as ONE row holding a JSON array: on SQLite each result row is a
            // hand-off between the worker thread and the caller, and a popular value brings
            // up to `limit` + `net_limit` rows.
            let mut s = Sql::new(match self.backend {
                Backend::Sqlite => "SELECT json_group_array(json_array(",
                Backend::Postgres => "SELECT COALESCE(json_agg(json_build_array(",
            });
            s.push(HIT).push(match self.backend {
                Backend::Sqlite => ")) AS a FROM (",
                Backend::Postgres => ")), '[]')::TEXT AS a FROM (",
            });
            for (i, (vid, prefix)) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(" UNION ALL ");
                }
                s.push("SELECT * FROM (SELECT l.value_id, 0 AS net, l.record_no FROM obs_links l WHERE l.value_id = ")
                    .bind(*vid)
                    .push(" ORDER BY l.record_no DESC LIMIT ")
                    .bind(limit)
                    .push(&format!(") s{i}"));
                if let Some(p) = prefix {
                    // No ORDER BY: the scan stops at the limit however busy the network is.
                    s.push(" UNION ALL SELECT * FROM (SELECT ")
                        .bind(*vid)
                        .push(" AS value_id, 1 AS net, l.record_no FROM obs_values w JOIN obs_links l ON l.value_id = w.id WHERE w.prefix = ")
                        .bind(*p)
                        .push(" AND w.id <> ")
                        .bind(*vid)
                        .push(" AND w.common = 0 LIMIT ")
                        .bind(net_limit)
                        .push(&format!(") n{i}"));
                }
            }
            s.push(
                ") h JOIN obs_records r ON r.no = h.record_no \
                 LEFT JOIN reports p ON r.kind = 'report' AND p.id = r.record_id \
                 LEFT JOIN incidents i ON r.kind = 'incident' AND i.id = r.record_id",
            );
            let row = s
                .query_on(self.backend)
                .fetch_one(&self.read)
                .await
                .map_err(db_err)?;
            let hits: Vec<Hit> =
                serde_json::from_str(&R(&row).s("a")?).map_err(|e| corrupt(&e.to_string()))?;
            for h in hits {
                out.push(h.row()?);
            }
        }
        Ok(out)
    }

    /// A stored value by kind and normalised value.
    pub(crate) async fn find_value_impl(
        &self,
        kind: Kind,
        value: &str,
    ) -> Result<Option<ValueStats>> {
        let row = Sql::new(
            "SELECT id, kind, value, prefix, records, common FROM obs_values WHERE kind = ",
        )
        .bind(kind_code(kind))
        .push(" AND value = ")
        .bind(value)
        .query_on(self.backend)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let r = R(&row);
        Ok(Some(ValueStats {
            id: r.i("id")?,
            kind: kind_from_code(r.i("kind")?).unwrap_or(kind),
            value: r.s("value")?,
            prefix: r.oi("prefix")?,
            records: r.i("records")?,
            common: r.b("common")?,
        }))
    }
}
