//! Correlation reads: a value by key (`Store::find_value`), and correlation in one round
//! trip (`Store::correlation_rows`): the links of every value, of
//! its /24 or /48, and the facts of the records found, read by ONE statement. On SQLite each
//! statement is a hand-off to the connection's worker thread and back; on a busy machine
//! every hand-off can wait for a time slice, so the tail latency of "seen before" is set by
//! how many there are, not by the index look-ups (a few microseconds each).

use crate::codec::R;
use crate::connect::{SqlStore, db_err};
use crate::sql::Sql;
use hikeshi_core::Result;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::observables::{
    CorrelationRow, Kind, RecordFacts, ValueStats, kind_code, kind_from_code,
};

/// Values per statement.
const UNION: usize = 50;

/// The facts columns, from whichever of the two tables holds the record.
const FACTS: &str = "COALESCE(p.id, i.id) AS fid, COALESCE(p.ref, i.ref) AS fref, \
     COALESCE(p.subject, i.title) AS ftitle, COALESCE(p.status, i.status) AS fstatus, \
     COALESCE(p.constituency_id, i.constituency_id) AS fconst, COALESCE(p.tlp, i.tlp) AS ftlp, \
     COALESCE(p.named_users, i.named_users) AS fnamed, COALESCE(p.created_by, i.created_by) AS fby, \
     COALESCE(p.created_at, i.created_at) AS fat";

impl SqlStore {
    pub(crate) async fn correlation_rows_impl(
        &self,
        values: &[(i64, Option<i64>)],
        limit: i64,
        net_limit: i64,
    ) -> Result<Vec<CorrelationRow>> {
        let mut out = Vec::new();
        for chunk in values.chunks(UNION) {
            let mut s = Sql::new("SELECT h.value_id, h.net, r.kind, r.record_id, ");
            s.push(FACTS).push(" FROM (");
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
            for row in s
                .query_on(self.backend)
                .fetch_all(&self.read)
                .await
                .map_err(db_err)?
            {
                let r = R(&row);
                let record_kind = r.s("kind")?;
                let facts = match r.os("fid")? {
                    None => None,
                    Some(id) => Some(RecordFacts {
                        kind: if record_kind == "incident" {
                            TargetKind::Incident
                        } else {
                            TargetKind::Report
                        },
                        id,
                        reference: r.s("fref")?,
                        title: r.s("ftitle")?,
                        status: r.s("fstatus")?,
                        constituency: r.oid("fconst", ConstituencyId::parse)?,
                        tlp: r.e("ftlp", Tlp::parse_field)?,
                        named_users: r.json("fnamed")?,
                        created_by: r.id("fby", UserId::parse)?,
                        created_at: r.t("fat")?,
                    }),
                };
                out.push(CorrelationRow {
                    value_id: r.i("value_id")?,
                    network: r.i("net")? != 0,
                    record_kind,
                    record_id: r.s("record_id")?,
                    facts,
                });
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
